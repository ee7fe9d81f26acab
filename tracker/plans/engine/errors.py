class PlanFormatError(Exception):
    """The file cannot be read as a plan. The message is one line for a person:
    it names the problem and, where there is one, the row."""

    @property
    def message(self) -> str:
        """The message as raised: a tracker.core.messages.Message, which a page translates."""
        return self.args[0] if self.args else ""
