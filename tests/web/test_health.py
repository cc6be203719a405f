"""Health endpoints answer without signing in: liveness and readiness (schema current)."""

from __future__ import annotations

from fastapi.testclient import TestClient

from config.settings import Settings
from web.app import create_app


def test_health_and_readiness_answer_without_signing_in(db_url, example, tmp_path):
    app = create_app(Settings(database_url=db_url, data_dir=tmp_path / "var", output_dir=tmp_path / "out"))
    with TestClient(app) as client:
        assert client.get("/healthz").status_code == 200
        ready = client.get("/readyz")
        assert ready.status_code == 200 and ready.text == "ready"
