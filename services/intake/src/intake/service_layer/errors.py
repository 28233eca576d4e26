"""Why intake refuses a change: what its endpoints translate into 404, 403 and 409."""

from __future__ import annotations

from shared.validation_messages import Language


class CaseNotFoundError(LookupError):
    """No such case, or none the caller may see (the two are not told apart)."""


class CaseConflictError(RuntimeError):
    """The case's state does not allow the change (e.g. it is closed), worded in both languages; ``str()`` is
    the English."""

    def __init__(self, status: str, message: str, *, id: str) -> None:
        super().__init__(message)
        self.status = status
        self.en = message
        self.id = id

    def message(self, language: Language) -> str:
        return self.id if language is Language.ID else self.en


class NotAllowedError(PermissionError):
    """The caller may see the case but not make this change."""
