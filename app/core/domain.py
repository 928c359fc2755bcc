"""The error every business rule raises, so views can answer them all the same way."""


class RuleError(ValueError):
    """A refused change: ``message`` is shown to the user (often a lazy translation),
    ``field`` names the form field it belongs to (None for the whole form), ``status`` is the
    HTTP answer when the request was not a form."""

    def __init__(self, message, field: str | None = None, status: int = 400):
        super().__init__(message)
        self.message = message
        self.field = field
        self.status = status

    def __str__(self) -> str:
        return str(self.message)
