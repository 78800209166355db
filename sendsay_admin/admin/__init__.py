"""The Django admin of the Sendsay connection app (imported to register its model admins)."""

from . import account, errors

__all__ = ["account", "errors"]
