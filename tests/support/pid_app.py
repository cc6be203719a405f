"""A bare ASGI app that answers with its process id (for ``web.workers``' tests)."""

from __future__ import annotations

import os
from typing import Any


def app_from_env() -> Any:
    async def app(scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"text/plain")]})
        await send({"type": "http.response.body", "body": str(os.getpid()).encode()})

    return app
