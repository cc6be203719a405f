"""People (用户): users and their roles, sign-in links, sessions and API tokens, passwords, who may see and do what, and the append-only audit log.

Entry points (flows, web routes, commands) import from here, not from the modules."""

from __future__ import annotations

from services.people.auth import (
    API,
    SESSION,
    TTL,
    HistoryEntry,
    Principal,
    authenticate,
    csrf_token,
    hash_token,
    sign_in_with_link,
    sign_in_with_password,
    sign_out,
)
from services.people.throttle import record_failure as record_sign_in_failure
from services.people.users import (
    add_user,
    import_users,
    list_users,
    revoke_user,
    set_password,
    sign_in_link,
)

__all__ = [
    "API",
    "HistoryEntry",
    "Principal",
    "SESSION",
    "TTL",
    "add_user",
    "authenticate",
    "csrf_token",
    "hash_token",
    "import_users",
    "list_users",
    "record_sign_in_failure",
    "revoke_user",
    "set_password",
    "sign_in_link",
    "sign_in_with_link",
    "sign_in_with_password",
    "sign_out",
]
