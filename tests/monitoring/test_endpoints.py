"""/healthz, /readyz and /metrics, answered in process through the whole middleware."""

from __future__ import annotations

import contextlib

import pytest
from django.db import connection
from django.test import Client

from paperfeed.search.tasks import index_papers

pytestmark = pytest.mark.django_db


@pytest.fixture
def client():
    return Client(HTTP_HOST="10.0.0.7")  # a load balancer probing by address


def test_healthz_answers_without_the_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "alive"}
    assert response["Cache-Control"] == "no-store"


def test_readyz_reports_database_migrations_and_queue(client):
    index_papers.enqueue([1])
    index_papers.enqueue([2])
    response = client.get("/readyz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ready"
    assert body["database"] == "ok" and body["migrations"] == "applied"
    assert body["tasks"]["waiting"] == 2 and body["tasks"]["running"] == 0
    assert body["tasks"]["oldest_waiting_seconds"] >= 0


def test_readyz_lists_pending_migrations(client):
    from django.db.migrations.recorder import MigrationRecorder

    MigrationRecorder(connection).migration_qs.filter(app="service", name="0003_tasklease").delete()
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["migrations"] == {"pending": ["service.0003_tasklease"]}


@contextlib.contextmanager
def unreachable_database():
    """Point the connection at a database that cannot be opened (a closed port on
    PostgreSQL, a file in a missing folder on SQLite), then restore it."""
    saved = dict(connection.settings_dict)
    connection.close()
    if connection.vendor == "sqlite":
        connection.settings_dict["NAME"] = "/nonexistent-folder/paperfeed.sqlite3"
    else:
        connection.settings_dict.update(HOST="127.0.0.1", PORT="1")
    try:
        yield
    finally:
        connection.close()
        connection.settings_dict.clear()
        connection.settings_dict.update(saved)


@pytest.mark.django_db(transaction=True)
def test_readyz_is_503_when_the_database_is_unreachable(client):
    with unreachable_database():
        response = client.get("/readyz")
        assert client.get("/healthz").status_code == 200  # alive all the same
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "not ready"
    assert body["database"].startswith("unreachable")
    assert "nonexistent" not in response.content.decode()  # no details leak
    assert client.get("/readyz").status_code == 200  # and back once it returns


def test_metrics_are_off_unless_enabled(client, settings):
    settings.PAPERFEED_METRICS = False
    assert client.get("/metrics").status_code == 404


def test_metrics_after_requests(client, settings):
    settings.PAPERFEED_METRICS = True
    site = Client()
    for _ in range(3):
        assert site.get("/trending").status_code == 200
    index_papers.enqueue([1])
    response = client.get("/metrics")
    assert response.status_code == 200
    text = response.content.decode()
    assert _sample(text, "paperfeed_http_request_duration_seconds_count",
                   'method="GET",status="200",view="web:trending"') >= 3  # fmt: skip
    assert _sample(text, "paperfeed_task_queue", 'state="waiting"') == 1
    assert _sample(text, "paperfeed_database_up", "") == 1
    assert "paperfeed_embedding_backlog" in text


def _sample(text: str, name: str, labels: str) -> float:
    prefix = f"{name}{{{labels}}} " if labels else f"{name} "
    for line in text.splitlines():
        if line.startswith(prefix):
            return float(line.split()[-1])
    raise AssertionError(f"no sample {prefix!r} in\n{text[:3000]}")
