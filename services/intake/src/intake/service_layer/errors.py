"""Why intake refuses a change: what its endpoints translate into 404, 403 and 409."""

from __future__ import annotations


class CaseNotFoundError(LookupError):
    """No such case, or none the caller may see (the two are not told apart)."""


class CaseConflictError(RuntimeError):
    """The case's (or draft's) state does not allow the change. ``code`` is the refusal's type, worded in both
    languages by ``shared.refusal_messages``."""

    def __init__(self, status: str, code: str) -> None:
        super().__init__(f"{code} ({status})")
        self.status = status
        self.code = code


class NotAllowedError(PermissionError):
    """The caller may see the case but not make this change. ``code`` is the refusal's type."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


class LinkNotAMatchError(LookupError):
    """The case a new report was to be linked to is not one of its possible duplicates in the caller's region."""
