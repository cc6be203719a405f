"""Domain errors: one hierarchy, mapped to HTTP status and CLI exit codes in one place each.

Every error carries a message a county official can act on (Chinese) and, where useful, a
list of detail lines (one per bad row or field) so that all problems are reported at once.
"""

from __future__ import annotations


class DomainError(Exception):
    """Base of every error the program reports to a user."""

    #: CLI exit code: 2 = bad input the user can fix, 1 = anything else.
    exit_code = 1
    #: HTTP status code for the web app.
    http_status = 400

    def __init__(self, message: str, details: list[str] | None = None, *, log_detail: str = ""):
        super().__init__(message)
        self.message = message
        self.details = list(details or [])
        self.log_detail = log_detail  # English detail for the logs

    def __str__(self) -> str:
        if not self.details:
            return self.message
        return self.message + "\n" + "\n".join(f"  - {d}" for d in self.details)


class InvalidInput(DomainError):
    """A file, a row or a field the user gave is wrong; nothing was changed."""

    exit_code = 2
    http_status = 422


class NotFound(DomainError):
    """The thing asked for does not exist (or the user may not see it)."""

    exit_code = 2
    http_status = 404


class Forbidden(DomainError):
    """The user may see the thing but not do this to it."""

    exit_code = 2
    http_status = 403


class Conflict(DomainError):
    """Someone else changed the thing first, or the state does not allow the action."""

    exit_code = 2
    http_status = 409


class CalendarMissing(DomainError):
    """The working calendar has no data for a year a deadline falls in."""

    exit_code = 2
    http_status = 409

    def __init__(self, year: int):
        super().__init__(
            f"工作日历缺少 {year} 年的节假日数据，无法计算期限。"
            f"请在活动配置 calendar.overrides 中录入国务院办公厅 {year} 年节假日安排"
            f"（放假日与调休上班日），或升级 chinese-calendar。",
            log_detail=f"no holiday data for year {year}",
        )
        self.year = year


class ConfigError(InvalidInput):
    """The campaign file (or a file it names) is invalid."""


class Unauthenticated(DomainError):
    """No valid sign-in: a missing, expired, used or revoked token, or a wrong password."""

    exit_code = 2
    http_status = 401


class Throttled(DomainError):
    """Too many attempts (wrong passwords) from a phone number or an address: wait ``retry_after`` seconds."""

    exit_code = 2
    http_status = 429

    def __init__(self, message: str, *, retry_after: int, log_detail: str = ""):
        super().__init__(message, log_detail=log_detail)
        self.retry_after = max(1, int(retry_after))
