class PlanFormatError(Exception):
    """The file cannot be read as a plan. The message is one line for a person:
    it names the problem and, where there is one, the row."""
