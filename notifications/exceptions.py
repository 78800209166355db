"""Errors of the notification engine: one root, a few leaves, each with a readable message."""


class NotificationError(Exception):
    """Root of the notification engine's own errors."""


class UnknownEventError(NotificationError, KeyError):
    """An event name that is not in the catalogue (a programming error, never retried)."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else "unknown event"


class MissingRefError(NotificationError, ValueError):
    """`emit` was not given a reference the event needs (order_id, user_id ...)."""


class TemplateError(NotificationError):
    """A template cannot be rendered: not found, bad syntax or a missing variable."""


class TemplateMissingError(TemplateError):
    """No override and no default file for an (event, role, channel, variant, language)."""


class MissingVariableError(TemplateError):
    """A template used a variable the payload does not carry (never sent as a blank)."""

    def __init__(self, variable: str, template: str = "") -> None:
        self.variable = variable
        self.template = template
        where = f" in {template}" if template else ""
        super().__init__(f"missing template variable {variable!r}{where}")
