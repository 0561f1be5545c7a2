"""What the database task queue with leases costs, and how soon a dead worker's task
runs again.

1. Overhead: N tasks that do nothing (``index_papers([])``) are queued, then one
   ``paperfeed worker --batch`` runs them all: milliseconds of wall time and of worker
   CPU per task (claim, lease taken and released, result written). That is the price
   paid per task for the leases, against tasks that embed 100 papers in seconds.
2. Recovery: a real indexing task is started, its worker killed with SIGKILL, and a
   second worker started at once: seconds from the kill until the task runs again,
   with the lease given (``--lease``, default 5 s; production default 60 s), the other
   worker already running.

    python benchmarks/task_queue.py [--tasks 500] [--lease 5] [--postgres]
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import resource
import signal
import subprocess
import sys
import tempfile
import time
from itertools import islice
from pathlib import Path

from benchdata import LISTINGS, require_listings  # noqa: E402  (this folder is on sys.path)

ROOT = Path(__file__).resolve().parents[1]


def load() -> str:
    return "load average {:.2f} {:.2f} {:.2f}".format(*os.getloadavg())


def shell(code: str, env: dict) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "paperfeed", "shell", "--verbosity", "0", "-c", code],
        env=env, capture_output=True, text=True, check=True,
    )  # fmt: skip
    return done.stdout.strip()


def task_row(env: dict) -> tuple[str, list[str]]:
    """(status, worker ids) of the indexing task, read straight from the database (a
    ``paperfeed shell`` per look would take seconds on a loaded machine)."""
    sql = (
        "SELECT status, worker_ids FROM django_tasks_database_dbtaskresult"
        " WHERE task_path LIKE '%index_papers' ORDER BY enqueued_at LIMIT 1"
    )
    url = env.get("DATABASE_URL")
    if url:
        import psycopg

        with psycopg.connect(url.replace("postgres://", "postgresql://")) as conn:
            row = conn.execute(sql).fetchone()
    else:
        import sqlite3

        with sqlite3.connect(Path(env["PAPERFEED_DATA_DIR"]) / "paperfeed.sqlite3") as conn:
            row = conn.execute(sql).fetchone()
    if row is None:
        return "", []
    ids = row[1] if isinstance(row[1], list) else json.loads(row[1])
    return row[0], ids


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tasks", type=int, default=500)
    parser.add_argument("--lease", type=float, default=5.0)
    parser.add_argument("--postgres", action="store_true")
    args = parser.parse_args()
    require_listings()
    with tempfile.TemporaryDirectory(prefix="pf-queue-") as tmp:
        work = Path(tmp)
        env = {**os.environ, "PYTHONPATH": str(ROOT / "src"), "PAPERFEED_DATA_DIR": str(work)}
        env.pop("DATABASE_URL", None)
        pg = work / "pg"
        if args.postgres:
            env["DATABASE_URL"] = subprocess.run(
                [sys.executable, str(ROOT / "scripts/postgres.py"), "start", str(pg)],
                capture_output=True, text=True, check=True,
            ).stdout.strip()  # fmt: skip
        try:
            kind = "PostgreSQL" if args.postgres else "SQLite"
            subprocess.run([sys.executable, "-m", "paperfeed", "migrate", "-v", "0"],
                           env=env, check=True)  # fmt: skip
            shell(
                "from paperfeed.search.tasks import index_papers\n"
                f"for _ in range({args.tasks}): index_papers.enqueue([])",
                env,
            )
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            started = time.monotonic()
            subprocess.run(
                [sys.executable, "-m", "paperfeed", "worker", "--batch", "--interval", "0"],
                env=env, check=True, capture_output=True,
            )  # fmt: skip
            wall = time.monotonic() - started
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
            print(
                f"{kind}: {args.tasks} empty tasks in {wall:.1f} s with one worker "
                f"(start-up included): {1000 * wall / args.tasks:.1f} ms wall, "
                f"{1000 * cpu / args.tasks:.1f} ms worker CPU per task; {load()}",
                flush=True,
            )
            shell(
                "from django_tasks_db.models import DBTaskResult as T; T.objects.all().delete()",
                env,
            )

            # Recovery: a real indexing task, its worker killed mid-run.
            papers = work / "papers.jsonl"
            with gzip.open(LISTINGS, "rt") as source:
                papers.write_text("".join(islice(source, 300)))
            subprocess.run([sys.executable, "-m", "paperfeed", "import", str(papers)],
                           env=env, check=True, capture_output=True)  # fmt: skip
            lease_env = {**env, "PAPERFEED_TASK_LEASE_SECONDS": str(args.lease)}
            # Two workers already running; the one that takes the task is killed.
            workers = {
                p.pid: p
                for p in (
                    subprocess.Popen(
                        [sys.executable, "-m", "paperfeed", "worker"],
                        env=lease_env,
                        stderr=subprocess.DEVNULL,
                    )  # fmt: skip
                    for _ in range(2)
                )
            }
            while not (holders := task_row(env)[1]):
                time.sleep(0.1)
            time.sleep(2)
            pid = int(holders[-1].split(":")[1])  # worker ids are host:pid:random
            workers[pid].send_signal(signal.SIGKILL)
            workers[pid].wait()
            killed = time.monotonic()
            try:
                while len(task_row(env)[1]) < 2:
                    time.sleep(0.1)
                rerun = time.monotonic() - killed
                while task_row(env)[0] != "SUCCESSFUL":
                    time.sleep(0.5)
            finally:
                for proc in workers.values():
                    if proc.poll() is None:
                        proc.terminate()
                        proc.wait()
            print(
                f"{kind}: task of a worker killed with SIGKILL running again after "
                f"{rerun:.1f} s (lease {args.lease:.0f} s, heartbeat {args.lease / 4:.2f} s, "
                f"the other worker already running); {load()}"
            )
        finally:
            if args.postgres:
                subprocess.run([sys.executable, str(ROOT / "scripts/postgres.py"), "stop",
                                str(pg)], capture_output=True)  # fmt: skip


if __name__ == "__main__":
    main()
