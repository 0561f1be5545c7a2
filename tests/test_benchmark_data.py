"""Every benchmark script, run where the shared data folder is missing, stops with a
message naming the file it needs and what it is (no traceback); one that needs no
shared data runs there and prints its figures."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"
ARGS = {
    "ann_recall.py": ["--data-dir", "{missing}"],
    "category_index.py": ["--work-dir", "{missing}"],
    "cluster_load.py": [],
    "digest_send.py": [],
    "embed_reference.py": ["reference", "10", "{missing}/out.npy"],
    "embed_speed.py": [],
    "feed_pages.py": ["--data-dir", "{missing}"],
    "import_rate.py": ["--db", "sqlite"],
    "keyword_newest.py": ["--postgres", "{missing}/pg"],
    "pg_copy.py": ["--data-dir", "{missing}"],
    "recommend.py": ["--data-dir", "{missing}"],
    "pgvector_recall.py": ["--data-dir", "{missing}", "--postgres", "{missing}/pg"],
    "scifact.py": [],
    "search_latency.py": ["--data-dir", "{missing}"],
    "site_load.py": ["--data-dir", "{missing}"],
    "task_queue.py": [],
    "trending.py": [],
    "worker_throughput.py": [],
}
# Scripts that need nothing from the shared data folder, with arguments for a short run.
NO_DATA = {"rate_limit.py": ["--hits", "16"]}


def test_every_script_is_listed():
    scripts = {p.name for p in BENCHMARKS.glob("*.py")} - {"benchdata.py", "cpu_roles.py"}
    assert scripts == set(ARGS) | set(NO_DATA)


@pytest.mark.parametrize("script", sorted(ARGS))
def test_missing_data_is_a_clear_message(tmp_path, script):
    copy = tmp_path / "checkout" / "benchmarks"  # nothing beside the checkout
    shutil.copytree(BENCHMARKS, copy)
    missing = tmp_path / "missing"
    args = [a.format(missing=missing) for a in ARGS[script]]
    env = {**os.environ, "DATABASE_URL": "postgres://nobody@127.0.0.1:1/none"}
    if script != "pg_copy.py":
        env.pop("DATABASE_URL")
    done = subprocess.run(
        [sys.executable, str(copy / script), *args],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode != 0
    assert "Traceback" not in done.stderr
    assert "benchmark data not found: " in done.stderr
    assert "expected: " in done.stderr


@pytest.mark.parametrize("script", sorted(NO_DATA))
def test_a_script_needing_no_data_runs_without_it(tmp_path, script):
    copy = tmp_path / "checkout" / "benchmarks"  # nothing beside the checkout
    shutil.copytree(BENCHMARKS, copy)
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    done = subprocess.run(
        [sys.executable, str(copy / script), *NO_DATA[script]],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    assert "every hit counted once: True" in done.stdout
    assert "median" in done.stdout
