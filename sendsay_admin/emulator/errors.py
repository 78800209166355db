"""The two exceptions the emulator raises internally: an API error and a dropped connection."""

from __future__ import annotations


class ApiError(Exception):
    """An error Sendsay reports inside a 200 reply: `{"errors": [{"id": ..., "explain": ...}]}`."""

    def __init__(self, error_id: str, explain: object = None) -> None:
        super().__init__(f"{error_id}: {explain}" if explain is not None else error_id)
        self.error_id = error_id
        self.explain = explain

    def as_dict(self) -> dict:
        item: dict = {"id": self.error_id}
        if self.explain is not None:
            item["explain"] = self.explain
        return item


class DropConnection(Exception):
    """Raised by the WSGI app to ask the server to close the socket without any reply."""


def missing(name: str) -> ApiError:
    return ApiError("error/params/missing", name)


def invalid(name: str, why: str = "") -> ApiError:
    return ApiError("error/params/invalid", f"{name}: {why}" if why else name)


def unsupported(what: str) -> ApiError:
    """Something the real API may accept but this emulator does not model."""
    return ApiError("error/emulator/unsupported", what)
