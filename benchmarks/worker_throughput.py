"""Embedding throughput with 1, 2 and 4 ``paperfeed worker`` processes.

For each worker count: a fresh database, ``paperfeed import --batch-size 100`` of the
first N papers of the shared listings (so the import queues one indexing task per 100
papers, as a backfill does), then W workers started together with ``--batch`` (each
exits when the queue is empty). Prints wall time, papers a second, the workers' CPU
seconds per paper (which survives a loaded machine better than wall time) and the load
average. Each worker embeds on ``--threads`` threads (default 1), so W workers use W
cores: on this 2-core machine four workers can only share two cores, as four machines
would not.

    python benchmarks/worker_throughput.py [--papers 1200] [--workers 1 2 4] [--postgres]

``--postgres`` starts a throw-away PostgreSQL with pgvector (scripts/postgres.py) and
uses a new database for each run.
"""

from __future__ import annotations

import argparse
import gzip
import os
import resource
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


def paperfeed(args: list[str], env: dict[str, str], **kwargs) -> subprocess.Popen:  # type: ignore[no-untyped-def]
    return subprocess.Popen([sys.executable, "-m", "paperfeed", *args], env=env, **kwargs)


def postgres_database(url: str, name: str) -> str:
    """A fresh database on the server ``url`` names (with pgvector); its URL."""
    import psycopg

    with psycopg.connect(url.replace("postgres://", "postgresql://"), autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name}")
        conn.execute(f"CREATE DATABASE {name} TEMPLATE template1")
    return url.rsplit("/", 1)[0] + "/" + name


def run(
    workers: int, args: argparse.Namespace, work: Path, papers_file: Path, base_env: dict
) -> dict:
    data = work / f"data-{workers}"
    data.mkdir()
    (data / "models").symlink_to(work / "models")
    env = {
        **base_env,
        "PAPERFEED_DATA_DIR": str(data),
        "PAPERFEED_EMBED_THREADS": str(args.threads),
    }
    if args.pg_url:
        env["DATABASE_URL"] = postgres_database(args.pg_url, f"bench_workers_{workers}")
    else:
        env.pop("DATABASE_URL", None)
    importer = paperfeed(["import", str(papers_file), "--batch-size", "100"], env,
                         stdout=subprocess.DEVNULL)  # fmt: skip
    assert importer.wait() == 0
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.monotonic()
    procs = [
        paperfeed(
            ["worker", "--batch", "--interval", "0.2"],
            env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )  # fmt: skip
        for _ in range(workers)
    ]
    codes = [p.wait() for p in procs]
    wall = time.monotonic() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    count = "from paperfeed.search.models import PaperEmbedding as E; print(E.objects.count())"
    check = paperfeed(["shell", "--verbosity", "0", "-c", count], env, stdout=subprocess.PIPE)
    embedded = int(check.communicate()[0].decode().strip() or 0)
    return {"workers": workers, "codes": codes, "wall": wall, "cpu": cpu, "embedded": embedded}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--papers", type=int, default=1200)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2, 4])
    parser.add_argument("--threads", type=int, default=1, help="embedding threads per worker")
    parser.add_argument("--postgres", action="store_true")
    args = parser.parse_args()
    require_listings()
    base_env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    with tempfile.TemporaryDirectory(prefix="pf-workers-") as tmp:
        work = Path(tmp)
        papers_file = work / "papers.jsonl"
        with gzip.open(LISTINGS, "rt") as source:
            papers_file.write_text("".join(islice(source, args.papers)))
        print(f"building the model once ({load()})", flush=True)
        build = subprocess.run(
            [sys.executable, "-c", "import django, os; os.environ.setdefault("
             "'DJANGO_SETTINGS_MODULE', 'paperfeed.settings'); django.setup();"
             "from paperfeed.search.embeddings import get_embedder; get_embedder()"],
            env={**base_env, "PAPERFEED_DATA_DIR": str(work)},
        )  # fmt: skip
        assert build.returncode == 0
        args.pg_url = None
        pg_dir = work / "pg"
        if args.postgres:
            args.pg_url = subprocess.run(
                [sys.executable, str(ROOT / "scripts/postgres.py"), "start", str(pg_dir)],
                capture_output=True, text=True, check=True,
            ).stdout.strip()  # fmt: skip
        try:
            kind = "PostgreSQL" if args.postgres else "SQLite"
            print(f"{args.papers} papers, {args.threads} embedding thread(s) per worker, "
                  f"{kind}, {os.cpu_count()} cores")  # fmt: skip
            base = None
            for workers in args.workers:
                r = run(workers, args, work, papers_file, base_env)
                rate = r["embedded"] / r["wall"]
                base = base or rate
                print(
                    f"workers {workers}: {r['embedded']} embedded in {r['wall']:.1f} s = "
                    f"{rate:.1f} papers/s (x{rate / base:.2f}), "
                    f"{1000 * r['cpu'] / max(1, r['embedded']):.1f} ms CPU per paper, "
                    f"exit codes {r['codes']}; {load()}",
                    flush=True,
                )
        finally:
            if args.postgres:
                subprocess.run([sys.executable, str(ROOT / "scripts/postgres.py"), "stop",
                                str(pg_dir)], capture_output=True)  # fmt: skip


if __name__ == "__main__":
    main()
