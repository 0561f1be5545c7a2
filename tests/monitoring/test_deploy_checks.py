"""``paperfeed check-deploy``: Django's deployment checks plus paperfeed's own."""

from __future__ import annotations

import subprocess
import sys

import pytest
from django.db import connection

from tests.support.paths import REPO
from tests.support.processes import paperfeed_env

GOOD = {
    "PAPERFEED_SECRET_KEY": "k3y-" + "x7Rq9" * 12,
    "PAPERFEED_ALLOWED_HOSTS": "papers.example.org",
    "PAPERFEED_SECURE": "1",
    "PAPERFEED_BASE_URL": "https://papers.example.org",
    "SMTP_URL": "smtp://mailer:secret@mail.example.org:587?starttls=1",
}


def check_deploy(data_dir, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "paperfeed", "check-deploy"],
        # the browser tests set DJANGO_ALLOW_ASYNC_UNSAFE in this process; a deployment has not
        env={
            k: v
            for k, v in paperfeed_env(data_dir, **env).items()
            if k != "DJANGO_ALLOW_ASYNC_UNSAFE"
        },
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.django_db(transaction=True)
def test_defaults_are_reported_one_by_one(tmp_path):
    done = check_deploy(tmp_path)
    assert done.returncode != 0
    for code in ("W001", "W002", "W004", "W005", "W006", "W008"):
        assert f"paperfeed.{code}" in done.stderr, done.stderr
    assert "security.W012" in done.stderr  # Django's own checks run too


@pytest.mark.django_db(transaction=True)
def test_a_configured_site_passes(tmp_path):
    done = check_deploy(tmp_path, **GOOD)
    if connection.vendor == "sqlite":  # one machine only: said, and counted
        assert done.returncode != 0
        assert "paperfeed.W009" in done.stderr
        assert done.stderr.count("(paperfeed.") + done.stderr.count("(security.") == 1
    else:
        assert done.returncode == 0, done.stderr
        assert "deployment checks passed" in done.stdout
    assert "secret" not in done.stdout + done.stderr  # the SMTP password never shows


@pytest.mark.django_db(transaction=True)
def test_base_url_outside_allowed_hosts(tmp_path):
    done = check_deploy(tmp_path, **{**GOOD, "PAPERFEED_BASE_URL": "https://other.example.org"})
    assert "paperfeed.W007" in done.stderr


def test_search_indexes_bigger_than_the_buffers_are_reported():
    from paperfeed.monitoring.checks import search_index_memory

    assert search_index_memory(100 << 20, 128 << 20) == []
    assert search_index_memory(128 << 20, 128 << 20) == []
    (found,) = search_index_memory(410 << 20, 128 << 20)
    assert found.id == "paperfeed.W010"
    assert "128 MB" in found.msg and "410 MB" in found.msg
    assert "shared_buffers" in found.hint


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's buffers")
@pytest.mark.django_db
def test_the_search_index_sizes_are_read_from_the_server():
    from paperfeed.monitoring.checks import search_index_sizes

    indexes, buffers = search_index_sizes()
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_relation_size('search_paperfts_document')")
        keyword_index = cursor.fetchone()[0]
        cursor.execute("SHOW shared_buffers")
        shown = cursor.fetchone()[0]  # e.g. "128MB"
    assert indexes >= keyword_index > 0
    units = {"kB": 1 << 10, "MB": 1 << 20, "GB": 1 << 30}
    number = int(shown.rstrip("kMGB"))
    assert buffers == number * units[shown[len(str(number)) :]]
