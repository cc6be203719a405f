"""One Prefect test harness per session (it costs ~13 s to start on 2 cores), heartbeats off."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def prefect_harness(tmp_path_factory):
    import os

    os.environ.setdefault("PREFECT_HOME", str(tmp_path_factory.mktemp("prefect-home")))
    from prefect.testing.utilities import prefect_test_harness

    from config.prefect_env import heartbeats_off

    with prefect_test_harness(server_startup_timeout=90), heartbeats_off():
        yield


@pytest.fixture
def app_db_env(db_url, monkeypatch):
    """Point the flows (which build their own engine from settings) at the test database."""
    monkeypatch.setenv("CW_DATABASE_URL", db_url)
    return db_url
