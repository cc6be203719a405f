"""Fixtures the relay's integration tests share: the stand-in chat platforms, on the clock of the relay's
moment (``outbox_world.NOW``), and the relay's HTTP client. A module whose platforms check keywords, or
keep real time, defines its own ``fake``."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from demo.sandbox import FakePlatforms
from notify import make_client
from tests.support.outbox_world import NOW


@pytest.fixture
def fake() -> Iterator[FakePlatforms]:
    with FakePlatforms(clock=lambda: NOW.timestamp()) as f:
        yield f


@pytest.fixture
def client() -> Iterator[httpx.Client]:
    with make_client() as c:
        yield c
