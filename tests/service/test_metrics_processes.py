"""Prometheus metrics across processes: ``paperfeed serve`` with two granian workers
and its task worker, each writing its own files; any web process's /metrics sums them."""

from __future__ import annotations

import gzip
import shutil
import socket
import urllib.request

import pytest

from tests.support.paths import LISTINGS
from tests.support.processes import start, stop, wait_for

pytestmark = pytest.mark.slow


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read().decode()
    except OSError:
        return 0, ""


def sample(text: str, name: str, **labels: str) -> float:
    """Sum of the samples of ``name`` whose labels include these."""
    total = 0.0
    for line in text.splitlines():
        if not line.startswith(name + "{"):
            continue
        label_text = line[len(name) + 1 : line.rindex("}")]
        if all(f'{k}="{v}"' in label_text for k, v in labels.items()):
            total += float(line.split()[-1])
    return total


def test_metrics_sum_every_process_of_the_machine(tmp_path, worker_data_dir):
    data = tmp_path / "data"
    shutil.copytree(worker_data_dir / "models", data / "models")  # the built model
    tiny = tmp_path / "three.jsonl"
    with gzip.open(LISTINGS, "rt") as source:
        tiny.write_text("".join(next(source) for _ in range(3)))
    env = {
        k: v
        for k, v in __import__("os").environ.items()
        if k not in {"DATABASE_URL", "PROMETHEUS_MULTIPROC_DIR"}
    }
    env.update(PAPERFEED_DATA_DIR=str(data), PAPERFEED_METRICS="1")
    log = tmp_path / "serve.log"
    importer = start(["import", str(tiny)], env, log)  # queues one indexing task
    assert importer.wait(timeout=300) == 0, log.read_text()

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    serve = start(["serve", "--port", str(port), "--workers", "2", "--no-schedule"], env, log)
    try:
        wait_for(lambda: get(base + "/healthz")[0] == 200, 120, "the server", log)
        for _ in range(30):
            assert get(base + "/trending")[0] == 200

        def task_counted() -> str:
            status, text = get(base + "/metrics")
            done = sample(text, "paperfeed_tasks_total", task="index_papers", outcome="successful")
            return text if status == 200 and done == 1 else ""

        text = wait_for(task_counted, 180, "the worker's task in /metrics", log)
        # Two granian processes served the 30 requests; every scrape counts all of them.
        for _ in range(6):
            _, text = get(base + "/metrics")
            assert sample(text, "paperfeed_http_request_duration_seconds_count",
                          view="web:trending", status="200") == 30  # fmt: skip
        assert sample(text, "paperfeed_task_duration_seconds_count", task="index_papers") == 1
        assert sample(text, "paperfeed_task_queue", state="waiting") == 0
        pids = {p.name.rpartition("_")[2] for p in (data / "metrics").glob("*.db")}
        assert len(pids) >= 3  # two web processes and the worker wrote files
    finally:
        stop(serve)
