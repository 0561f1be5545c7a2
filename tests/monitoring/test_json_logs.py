"""PAPERFEED_LOG_FORMAT=json: every log line is one JSON object."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.support.paths import REPO
from tests.support.processes import paperfeed_env

pytestmark = pytest.mark.django_db(transaction=True)


def worker_batch(data_dir, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "paperfeed", "worker", "--batch"],
        env=paperfeed_env(data_dir, **env),
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_worker_logs_json_lines(tmp_path):
    done = worker_batch(tmp_path, PAPERFEED_LOG_FORMAT="json")
    assert done.returncode == 0, done.stderr
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert lines, "the worker logged nothing"
    records = [json.loads(line) for line in lines]  # each line parses on its own
    for record in records:
        assert {"time", "level", "logger", "message", "process"} <= set(record)
    assert any(r["logger"] == "django_tasks_db" and "Starting worker" in r["message"]
               for r in records)  # fmt: skip


def test_plain_is_the_default(tmp_path):
    done = worker_batch(tmp_path)
    assert done.returncode == 0, done.stderr
    assert "INFO django_tasks_db: Starting worker" in done.stderr


def test_unknown_format_is_refused(tmp_path):
    done = worker_batch(tmp_path, PAPERFEED_LOG_FORMAT="xml")
    assert done.returncode != 0
    assert "PAPERFEED_LOG_FORMAT must be plain or json" in done.stderr
