"""Send one daily digest to each of 10,000 confirmed subscribers over local SMTP.

    python benchmarks/digest_send.py [--subscribers 10000] [--papers 20000] [--workers 0]

A fresh data directory (SQLite); the first ``--papers`` records of the real cs
listings are imported; subscribers get varied preferences (sections, 1-3 categories,
5-50 papers). An aiosmtpd server runs in its own process and counts what it
receives. ``--workers 0`` sends from this process (``digest send --inline``);
``--workers N`` enqueues the batches and runs N ``paperfeed worker --batch``
processes. Prints the send time, digests per second, peak memory, and the CPU time per
digest (what a busy shared machine does not distort).
"""

from __future__ import annotations

import argparse
import os
import random
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchdata import require_listings  # this folder is on sys.path

REPO = Path(__file__).resolve().parents[1]

SMTP_SINK = r"""
import sys, threading
from aiosmtpd.controller import Controller
class Sink:
    def __init__(self):
        self.count = 0; self.bytes = 0; self.lock = threading.Lock()
    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.count += 1; self.bytes += len(envelope.content)
        return "250 OK"
sink = Sink()
c = Controller(sink, hostname="127.0.0.1", port=int(sys.argv[1]))
c.start()
print("ready", flush=True)
sys.stdin.read()
c.stop()
print(sink.count, sink.bytes, flush=True)
"""

CATEGORIES = [
    "cs.CV",
    "cs.CL",
    "cs.LG",
    "cs.AI",
    "cs.RO",
    "cs.CR",
    "cs.HC",
    "cs.SE",
    "cs.IR",
    "cs.DC",
    "cs.NI",
    "cs.SD",
    "cs.MA",
    "cs.DS",
    "cs.GR",
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subscribers", type=int, default=10_000)
    parser.add_argument("--papers", type=int, default=20_000)
    parser.add_argument("--workers", type=int, default=0)
    parser.add_argument("--profile", action="store_true", help="cProfile the inline send")
    args = parser.parse_args()
    require_listings()

    data_dir = tempfile.mkdtemp(prefix="paperfeed-bench-digest-")
    port = free_port()
    os.environ.update(
        PAPERFEED_DATA_DIR=data_dir,
        SMTP_URL=f"smtp://127.0.0.1:{port}",
        DJANGO_SETTINGS_MODULE="paperfeed.settings",
        PAPERFEED_LOG_LEVEL="WARNING",
    )
    os.environ.pop("DATABASE_URL", None)
    sink = subprocess.Popen(
        [sys.executable, "-c", SMTP_SINK, str(port)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert sink.stdout.readline().strip() == "ready"

    import django

    django.setup()
    from collections import Counter

    from django.core.management import call_command
    from django.utils import timezone

    from paperfeed.catalogue.ingest import Ingestor
    from paperfeed.digests.dispatch import send_period
    from paperfeed.digests.models import SendLog, Subscriber
    from paperfeed.sources.jsonl import read_jsonl
    from paperfeed.sources.records import PaperRecord

    call_command("migrate", verbosity=0)
    t0 = time.perf_counter()
    lines = read_jsonl(require_listings(), limit=args.papers)
    records = [r for r in lines if isinstance(r, PaperRecord)]
    ingestor = Ingestor()
    for start in range(0, len(records), 2000):
        ingestor.ingest(records[start : start + 2000])
    day = Counter(r.announced for r in records if r.announced).most_common(1)[0][0]
    rng = random.Random(7)
    now = timezone.now()
    subscribers = []
    for n in range(args.subscribers):
        sections = rng.choice([["trending"], ["categories"], ["trending", "categories"]])
        subscribers.append(
            Subscriber(
                email=f"reader{n}@bench.example.org",
                confirmed_at=now,
                confirm_nonce="",
                sections=sections,
                categories=sorted(rng.sample(CATEGORIES, rng.randint(1, 3))),
                max_papers=rng.choice([5, 10, 10, 20, 30, 50]),
            )
        )
    Subscriber.objects.bulk_create(subscribers, batch_size=1000)
    setup = time.perf_counter() - t0
    print(
        f"setup: {len(records)} papers, {args.subscribers} subscribers in {setup:.1f} s; "
        f"sending the daily digest for {day}"
    )

    from django.db import connection

    connection.close()
    del records, subscribers, ingestor
    # The send runs in child processes, so their peak memory is the send's alone.
    cli = [sys.executable, "-m", "paperfeed"]
    started = time.perf_counter()
    if args.workers:
        from django_tasks_db.models import DBTaskResult

        # Only the digest batches: drop the indexing tasks the import queued.
        DBTaskResult.objects.exclude(task_path__endswith="send_digest_batch").delete()
        send_period("daily", day, inline=False)
        connection.close()
        command = [*cli, "worker", "--batch", "--interval", "0"]
        procs = [subprocess.Popen(command, stdout=subprocess.DEVNULL) for _ in range(args.workers)]
    else:
        command = [*cli, "digest", "send", "--inline", "--period", "daily", "--date", str(day)]
        if args.profile:
            command[1:1] = ["-m", "cProfile", "-s", "tottime"]
        procs = [subprocess.Popen(command, stdout=None if args.profile else subprocess.DEVNULL)]
    peaks, cpu = [], 0.0
    for proc in procs:
        _, status, usage = os.wait4(proc.pid, 0)
        if status:
            sys.exit(f"{' '.join(command)} failed ({status})")
        peaks.append(usage.ru_maxrss / 1024)
        cpu += usage.ru_utime + usage.ru_stime
    elapsed = time.perf_counter() - started
    load = os.getloadavg()[0]

    sink.stdin.close()
    received, size = (int(x) for x in sink.stdout.readline().split())
    _, _, sink_usage = os.wait4(sink.pid, 0)
    sink_cpu = sink_usage.ru_utime + sink_usage.ru_stime
    sent = SendLog.objects.filter(state="sent").count()
    states = Counter(SendLog.objects.values_list("state", flat=True))
    print(
        f"send log: {dict(states)}; SMTP server received {received} messages "
        f"({size / max(received, 1) / 1024:.1f} KiB each)"
    )
    how = f"{args.workers} worker processes" if args.workers else "digest send --inline"
    print(f"sent {sent} digests in {elapsed:.1f} s: {sent / elapsed:.0f} digests/s ({how})")
    print(f"peak memory of the sending process(es): {', '.join(f'{p:.0f} MiB' for p in peaks)}")
    # Wall time depends on what else runs on the machine; CPU time per digest does not.
    per = (cpu + sink_cpu) / max(sent, 1)
    print(
        f"CPU: {1000 * cpu / max(sent, 1):.1f} ms per digest sending, "
        f"{1000 * sink_cpu / max(sent, 1):.1f} ms in the SMTP server; load average {load:.1f}; "
        f"on 2 idle cores at most {2 / per:.0f} digests/s ({args.subscribers * per / 2:.0f} s)"
    )
    if received != sent or sent + states.get("empty", 0) != args.subscribers:
        sys.exit("mismatch: every subscriber should get exactly one digest")


if __name__ == "__main__":
    main()
