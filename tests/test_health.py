from __future__ import annotations

from django.test import Client

from resonanz.core.worker import beat


def test_healthz_reports_database_and_worker(client: Client, db: None) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "degraded", "database": "ok", "worker": "missing"}
    beat("w1")
    assert client.get("/healthz").json() == {"status": "ok", "database": "ok", "worker": "ok"}
