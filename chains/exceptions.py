"""Errors of the chain engine: one root."""


class ChainError(Exception):
    """Root of the chain engine's own errors."""


class UnknownConditionError(ChainError, KeyError):
    """An exit condition or trigger code that is not registered (a configuration error)."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else "unknown condition"
