"""The report that goes up: the implementation report of a plan or of a body ("орындалуы туралы
ақпарат") as a Word document laid out like the plan, its PDF, and what changed between two days.

Above the dashboard in the stack (it counts with the dashboard's own queries) and below the
export, whose workbook carries the changes as a sheet.
"""
