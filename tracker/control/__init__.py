"""Items on control (на контроле / бақылауда): when an obligation is due on any day, and who may
change that — extensions of due dates (перенос срока), taking an activity or a plan off control
(снятие с контроля), and the events some deadlines wait for.

Between plans and reports in the stack: the status rule (tracker.reports.status) asks this
package which date is in force and whether an obligation is still on control.
"""
