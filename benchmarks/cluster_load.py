"""paperfeed as several machines under load, with a web process and a worker killed.

PostgreSQL with pgvector (scripts/postgres.py), two ``paperfeed serve --no-worker
--no-schedule`` processes with separate data directories (as if on two machines), two
``paperfeed worker`` processes, each with its own data directory too. The catalogue is
the first ``--papers`` real listings, indexed before the run. Then ``--clients``
concurrent clients for ``--seconds``, spread over both web processes: readers get daily
feeds, paper pages, trending, API lists and searches; signed-in readers vote (each
paper at most once) and now and then comment. Meanwhile ``--new`` further papers are
imported (one indexing task per 100) for the workers. Halfway, one worker and one web
process are killed with SIGKILL and started again two seconds later. The clients are
readers behind one reverse proxy: each sends an address of its own in
``X-Forwarded-For`` (``PAPERFEED_TRUSTED_PROXIES=1``), so per-IP limits count readers;
the proxy sends each client to its own web process unless a request to that one failed
in the last five seconds (``Balancer``), so the restarted process gets its clients back.

Printed: requests a second, p50/p95 per kind of request, errors by status (``conn``:
refused or dropped, as on the killed web process), the same for the requests due while
the import ran, after it ended and after the workers had embedded every new paper
(from then on the readers have the cores to themselves, as with workers on machines of
their own; a longer ``--seconds`` leaves more of the run to it), p50/p95 by ten seconds
of the run, the CPU seconds each role used (web, workers, import, clients, and each
one's database backends, by the ``application_name`` each process's ``DATABASE_URL``
carries; ``cpu_roles.py``) over the run and those parts of it, and at the end the
checks: every paper has its vector, every accepted vote and comment is stored once, the
trending totals agree with the votes, no task is left waiting, running or failed.

    python benchmarks/cluster_load.py [--papers 3000] [--new 300] [--clients 32] [--seconds 60]
    python benchmarks/cluster_load.py --postgres PGDIR --new 2000 [--clients 32] [--rate 5]
        [--pin | --worker-cores N] [--import-at 20] [--backfill]

The import starts at once, while every page cache is still empty, unless ``--import-at
S`` starts it S seconds in, when the pages readers ask for have been rendered once: what
an import costs the pages that were already cached. The new papers fall on one new
latest day (a daily import) unless ``--backfill`` keeps their own, older days (a
backfill of old days, which the readers' recent pages do not show).

By default each client asks again as soon as it is answered (closed loop): the clients
keep every core busy, and a request's time is mostly its wait for one (32 clients at
30 requests a second wait about a second each, Little's law). ``--rate R``: readers'
requests arrive at random, R a second (a Poisson process), and the voters' posts one
for every ten of them, whether or not earlier ones were answered (open loop); a
request's time counts from its arrival. That is the latency a reader sees at that
traffic, and where it grows without end, the rate is more than the site can serve.
Pages are timed apart as ``cached`` and ``rendered`` (the ``X-Cache`` header).

The workers run at nice 10 with one embedding thread each, as the systemd unit runs
them. ``--pin`` puts the web processes on the first core and everything else on the
others (as if the web had a machine of its own); ``--worker-cores N`` confines the
workers to the last N cores and leaves every core to everything else (``CPUAffinity=``
in the worker's unit, on a machine shared with the web).

``--postgres PGDIR``: the catalogue already in that server (for one million papers, the
grown copy of ``search_latency.py --million`` copied in by ``pg_copy.py``) is used as
it is, with its votes and comments so far; the ``--new`` papers are real listings
under new ids (``2612.NNNNN``, announced on one new day; an earlier run's are deleted
first), and the checks count what the run added.

The whole of it runs on this machine's two cores (server, workers, clients): the
figures are those of one small machine, not of a cluster.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gzip
import json
import os
import random
import secrets
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from itertools import islice
from pathlib import Path
from typing import NamedTuple

import httpx
import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parent))
from benchdata import LISTINGS, require_listings  # noqa: E402  (this folder is on sys.path)
from cpu_roles import CpuRoles, database_url_for  # noqa: E402
from cpu_roles import report as report_cpu  # noqa: E402
from site_load import Connection, free_port, percentile  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
WORDS = ["diffusion", "language models", "graph neural network", "robot", "segmentation",
         "reinforcement learning", "retrieval", "protein", "transformer", "privacy"]  # fmt: skip


def load() -> str:
    return "load average {:.2f} {:.2f} {:.2f}".format(*os.getloadavg())


def cpu_list(cpus: set[int]) -> str:
    return ",".join(str(c) for c in sorted(cpus))


def postmaster(pgdir: Path) -> int:
    return int((pgdir / "postmaster.pid").read_text().split()[0])


def pin_server(pgdir: Path, cpus: set[int]) -> None:
    """PostgreSQL's processes on ``cpus``: the postmaster (whose new backends inherit
    it) and every process it has started."""
    postmaster_pid = postmaster(pgdir)
    children = subprocess.run(["pgrep", "-P", str(postmaster_pid)], capture_output=True,
                              text=True).stdout.split()  # fmt: skip
    for pid in [postmaster_pid, *map(int, children)]:
        with contextlib.suppress(ProcessLookupError):  # ended meanwhile
            os.sched_setaffinity(pid, cpus)


class Cluster:
    def __init__(
        self,
        work: Path,
        database_url: str,
        web_cpus: set[int] | None = None,
        worker_cpus: set[int] | None = None,
    ) -> None:
        self.work = work
        # With --pin: the web processes' cores (everything else runs on the others).
        self.web_cpus = web_cpus
        self.worker_cpus = worker_cpus
        # One secret key for all "machines": sessions and links are signed with it.
        self.env = {
            **os.environ,
            "PYTHONPATH": str(ROOT / "src"),
            "DATABASE_URL": database_url,
            "PAPERFEED_SECRET_KEY": secrets.token_urlsafe(50),
            # The clients are many readers behind one reverse proxy: each sends its own
            # address, so per-IP limits count readers, not the one loopback address.
            "PAPERFEED_TRUSTED_PROXIES": "1",
        }
        self.procs: dict[str, subprocess.Popen] = {}
        self.ports: dict[str, int] = {}

    def env_for(self, name: str) -> dict[str, str]:
        data = self.work / name
        if not data.exists():
            data.mkdir()
            (data / "models").symlink_to(self.work / "models")
        # Named for the server, so its backends' CPU time counts for this process's role.
        url = database_url_for(self.env["DATABASE_URL"], name)
        env = {**self.env, "DATABASE_URL": url, "PAPERFEED_DATA_DIR": str(data)}
        if name.startswith("worker"):  # one embedding thread each, as the systemd unit says
            env["PAPERFEED_EMBED_THREADS"] = "1"
        return env

    def run(self, args: list[str], name: str = "admin") -> str:
        done = subprocess.run([sys.executable, "-m", "paperfeed", *args],
                              env=self.env_for(name), capture_output=True, text=True)  # fmt: skip
        if done.returncode:
            raise SystemExit(f"paperfeed {' '.join(args)} failed:\n{done.stderr[-3000:]}")
        return done.stdout

    def shell(self, code: str) -> str:
        return self.run(["shell", "--verbosity", "0", "-c", code]).strip()

    def start(self, name: str) -> None:
        if name.startswith("web"):
            port = self.ports.setdefault(name, free_port())
            args = ["serve", "--no-worker", "--no-schedule", "--workers", "1", "--port", str(port)]
        else:
            args = ["worker", "--interval", "0.5"]
        log = open(self.work / f"{name}.log", "ab")  # noqa: SIM115
        # Workers at nice 10, as the systemd unit runs them: pages first.
        nice = 10 if name.startswith("worker") else 0
        pin = []
        if self.web_cpus and name.startswith("web"):
            pin = ["taskset", "-c", cpu_list(self.web_cpus)]
        if self.worker_cpus and name.startswith("worker"):
            pin = ["taskset", "-c", cpu_list(self.worker_cpus)]
        self.procs[name] = subprocess.Popen(
            [*pin, "nice", "-n", str(nice), sys.executable, "-m", "paperfeed", *args],
            env=self.env_for(name), stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip

    def kill(self, name: str) -> None:
        # The whole process group: serve's granian child dies with it, as with a machine.
        os.killpg(self.procs[name].pid, signal.SIGKILL)
        self.procs[name].wait()

    def stop_all(self) -> None:
        for proc in self.procs.values():
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
        for proc in self.procs.values():
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)

    def wait_web(self, name: str) -> None:
        for _ in range(240):
            try:
                if httpx.get(f"http://127.0.0.1:{self.ports[name]}/healthz", timeout=2).is_success:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.5)
        raise SystemExit(f"{name} did not start")

    def queue(self) -> dict:
        return json.loads(self.shell(
            "import json; from paperfeed.service.queue import queue_state;"
            "from django_tasks_db.models import DBTaskResult as T;"
            "print(json.dumps({**queue_state().as_dict(),"
            " 'failed': T.objects.filter(status='FAILED').count()}))"
        ))  # fmt: skip


def sessions(cluster: Cluster, readers: int) -> list[str]:
    """Signed-in readers: new accounts (a catalogue reused from an earlier run keeps
    that run's readers and their votes) with a database session each (no password
    hashing)."""
    run = secrets.token_hex(4)
    code = f"""
from importlib import import_module
from django.conf import settings
from django.contrib.auth import get_user_model, SESSION_KEY, BACKEND_SESSION_KEY, HASH_SESSION_KEY
Store = import_module(settings.SESSION_ENGINE).SessionStore
User = get_user_model()
keys = []
for i in range({readers}):
    email = f"load{{i}}-{run}@example.org"
    user, _ = User.objects.get_or_create(username=email, defaults={{"email": email}})
    s = Store()
    s[SESSION_KEY] = str(user.pk)
    s[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    s[HASH_SESSION_KEY] = user.get_session_auth_hash()
    s.create()
    keys.append(s.session_key)
print(" ".join(keys))
"""
    return cluster.shell(code).split()


class Answer(NamedTuple):
    kind: str
    # For pages, what the server said (``X-Cache``): "hit", served from the page cache
    # (the targets' "pages rendered once"), or "miss", rendered for the request.
    cache: str
    due: float  # perf_counter
    seconds: float


class Stats:
    def __init__(self) -> None:
        self.answered: list[Answer] = []
        self.statuses: Counter[tuple[str, str]] = Counter()
        self.votes: set[tuple[int, str]] = set()
        self.comments = 0
        # Posts that got no answer (the process died, or the client gave up waiting):
        # the server may or may not have stored them.
        self.unanswered = {"vote": 0, "comment": 0}

    def add(self, kind: str, due: float, status: str, cache: str = "") -> None:
        seconds = time.perf_counter() - due
        self.statuses[(kind, status)] += 1
        if status == "200" or status == "302":
            self.answered.append(Answer(kind, cache, due, seconds))

    def seconds(
        self, kind: str, cache: str = "", since: float = 0.0, until: float = float("inf")
    ) -> list[float]:
        return [
            a.seconds
            for a in self.answered
            if a.kind == kind and since <= a.due < until and (not cache or a.cache == cache)
        ]


def reader_address(n: int) -> str:
    """A simulated reader's own address (documentation range, RFC 5737)."""
    return f"198.51.{n // 250}.{n % 250 + 1}"


WRITES_PER_READ = 0.1  # open loop: votes and comments a second, per reader's request a second
Request = tuple[str, str, float]  # kind, URL, when it was due (perf_counter)


def closed_loop(seed: int, urls: dict, stop: float) -> Callable[[], Awaitable[Request | None]]:
    """A client's next request as soon as its last one is answered, until ``stop``."""
    rng = random.Random(seed)

    async def next_request() -> Request | None:
        if time.perf_counter() >= stop:
            return None
        kind = rng.choice(list(urls))
        return kind, rng.choice(urls[kind]), time.perf_counter()

    return next_request


async def arrivals(rate: float, urls: dict, stop: float, due: asyncio.Queue, clients: int) -> None:
    """Open loop: requests arrive at random (a Poisson process of ``rate`` a second),
    whether or not earlier ones were answered, as readers' clicks do; each waits for a
    free client. Its time counts from its arrival, so waiting for a client is part of
    it (no coordinated omission). Then one ``None`` per client: the end."""
    rng = random.Random(0)
    at = time.perf_counter()
    while True:
        at += rng.expovariate(rate)
        if at >= stop:
            break
        await asyncio.sleep(max(0.0, at - time.perf_counter()))
        kind = rng.choice(list(urls))
        due.put_nowait((kind, rng.choice(urls[kind]), at))
    for _ in range(clients):
        due.put_nowait(None)


class Balancer:
    """Which web process a reader's request goes to, as a load balancer decides: the
    reader's own, unless a request to it failed in the last ``hold`` seconds (until its
    health check passes again); then the next one. So a restarted process gets its
    readers back, cold or warm."""

    def __init__(self, processes: int, hold: float = 5.0) -> None:
        self.down_until = [0.0] * processes
        self.hold = hold

    def pick(self, home: int) -> int:
        now = time.perf_counter()
        n = len(self.down_until)
        return next((i % n for i in range(home, home + n) if self.down_until[i % n] <= now), home)

    def failed(self, which: int) -> None:
        self.down_until[which] = time.perf_counter() + self.hold


async def reader(
    seed: int,
    bases: list[tuple[str, int]],
    balancer: Balancer,
    next_request: Callable[[], Awaitable[Request | None]],
    stats: Stats,
) -> None:
    """GETs, each on the web process the balancer picks, on one kept-alive connection
    (a new one when the pick changes or the connection failed)."""
    home = seed % len(bases)
    address = reader_address(seed)
    on, conn = -1, Connection("", 0)
    while (request := await next_request()) is not None:
        kind, url, started = request
        which = balancer.pick(home)
        if which != on:
            if conn.writer is not None:
                conn.writer.close()
            on, conn = which, Connection(*bases[which], forwarded_for=address)
        try:
            status = str(await conn.get(url))
            cache = conn.headers.get("x-cache", "")
        except (OSError, asyncio.IncompleteReadError, ValueError):
            status, cache = "conn", ""
            balancer.failed(which)
            on = -1
        stats.add(kind, started, status, cache)


async def voter(
    i: int,
    key: str,
    bases: list[str],
    balancer: Balancer,
    ids: list[str],
    stop: float,
    stats: Stats,
    pause: float,
) -> None:
    """Posts a vote (or now and then a comment) on one paper after another, each paper
    once. Between posts: ``pause`` seconds, or with ``pause`` negative a random pause
    of ``-pause`` seconds on average (open loop: the voters' posts arrive at random)."""
    rng = random.Random(1000 + i)
    token = secrets.token_hex(16)  # a CSRF secret of our own: cookie and header agree
    cookies = {"sessionid": key, "csrftoken": token}
    headers = {"X-CSRFToken": token, "HX-Request": "true"}
    headers["X-Forwarded-For"] = reader_address(1000 + i)
    home = i % len(bases)
    async with httpx.AsyncClient(cookies=cookies, headers=headers, timeout=30) as client:
        for arxiv_id in rng.sample(ids, len(ids)):
            if time.perf_counter() >= stop:
                return
            comment = rng.random() < 0.05
            kind = "comment" if comment else "vote"
            path = f"/papers/{arxiv_id}/comments" if comment else f"/papers/{arxiv_id}/vote"
            data = {"body": f"load test comment {i}"} if comment else {"action": "up"}
            which = balancer.pick(home)
            base = bases[which]
            started = time.perf_counter()
            try:
                response = await client.post(base + path, data=data, headers={"Referer": base})
                status = str(response.status_code)
                if "/accounts/login" in response.headers.get("location", ""):
                    status = "login"  # not signed in: a failure of the set-up
            except httpx.TimeoutException:
                status = "timeout"  # no answer in 30 s: the server may still store it
                stats.unanswered[kind] += 1
            except httpx.HTTPError:
                status = "conn"  # that process died: the next try goes to another
                balancer.failed(which)
                stats.unanswered[kind] += 1
            stats.add(kind, started, status)
            if status in ("200", "302"):
                if comment:
                    stats.comments += 1
                else:
                    stats.votes.add((i, arxiv_id))
            await asyncio.sleep(rng.expovariate(-1 / pause) if pause < 0 else pause)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--papers", type=int, default=3000)
    parser.add_argument("--new", type=int, default=300)
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--voters", type=int, default=4, help="of the clients, signed in")
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument(
        "--rate", type=float, default=0,
        help="readers' requests a second, arriving at random (open loop); "
        "0: each reader asks again as soon as answered (closed loop)",
    )  # fmt: skip
    parser.add_argument("--postgres", metavar="DIR", help="use this server's catalogue as it is")
    parser.add_argument(
        "--import-at", type=float, default=0, metavar="S",
        help="start the import S seconds into the run (default at once); later, the "
        "pages readers ask for are already in the page cache when it starts",
    )  # fmt: skip
    parser.add_argument(
        "--backfill", action="store_true",
        help="the new papers keep their own announcement days (with --postgres the "
        "catalogue's oldest), as a backfill of old days does; by default they all fall "
        "on one new latest day, as a daily import does",
    )  # fmt: skip
    parser.add_argument(
        "--pin", action="store_true",
        help="the web processes on the first core, everything else (PostgreSQL, workers, "
        "the import, the clients) on the others: as if the web had a machine of its own",
    )  # fmt: skip
    parser.add_argument(
        "--worker-cores", type=int, default=0, metavar="N",
        help="the workers on the last N cores only, everything else on all of them: "
        "indexing leaves the other cores to the readers (systemd's CPUAffinity=)",
    )  # fmt: skip
    args = parser.parse_args()
    require_listings()
    cpus = os.sched_getaffinity(0)
    web_cpus: set[int] | None = None
    worker_cpus: set[int] | None = None
    if args.pin and args.worker_cores:
        raise SystemExit("--pin and --worker-cores are two different layouts: choose one")
    if args.pin:
        if len(cpus) < 2:
            raise SystemExit("--pin needs at least two cores")
        web_cpus = {min(cpus)}
        os.sched_setaffinity(0, cpus - web_cpus)  # this process's children inherit it
    if args.worker_cores:
        if not 0 < args.worker_cores < len(cpus):
            raise SystemExit(f"--worker-cores must be between 1 and {len(cpus) - 1}")
        worker_cpus = set(sorted(cpus)[-args.worker_cores :])
    with tempfile.TemporaryDirectory(prefix="pf-cluster-") as tmp:
        work = Path(tmp)
        with gzip.open(LISTINGS, "rt") as source:
            lines = list(islice(source, (0 if args.postgres else args.papers) + args.new))
        if not args.postgres:
            (work / "base.jsonl").write_text("".join(lines[: args.papers]))
            lines = lines[args.papers :]
        subprocess.run(
            [sys.executable, "-c", "import django, os; os.environ.setdefault("
             "'DJANGO_SETTINGS_MODULE', 'paperfeed.settings'); django.setup();"
             "from paperfeed.search.embeddings import get_embedder; get_embedder()"],
            env={**os.environ, "PYTHONPATH": str(ROOT / "src"), "PAPERFEED_DATA_DIR": str(work)},
            check=True,
        )  # fmt: skip
        pg = Path(args.postgres) if args.postgres else work / "pg"
        url = subprocess.run([sys.executable, str(ROOT / "scripts/postgres.py"), "start", str(pg)],
                             capture_output=True, text=True, check=True).stdout.strip()  # fmt: skip
        if web_cpus:  # a server already running keeps its cores otherwise
            pin_server(pg, cpus - web_cpus)
        cluster = Cluster(work, url, web_cpus, worker_cpus)
        try:
            if args.postgres:
                cluster.run(["migrate", "--verbosity", "0"])
                (work / "new.jsonl").write_text(new_ids(cluster, lines, args.backfill))
            else:
                (work / "new.jsonl").write_text("".join(lines))
                print(f"setting up: {args.papers} papers indexed by two workers ({load()})")
                cluster.run(["import", str(work / "base.jsonl"), "--batch-size", "500"])
            for name in ("worker1", "worker2"):
                cluster.start(name)
            while (q := cluster.queue())["waiting"] + q["running"]:
                time.sleep(2)
            before = facts(cluster)
            print(f"catalogue: {before}; {load()}", flush=True)
            print(buffers(cluster), flush=True)
            keys = sessions(cluster, args.voters)
            ids = cluster.shell(  # the newest 5,000 (a grown copy's copies share their text)
                "from paperfeed.catalogue.models import Paper;"
                "print(' '.join(Paper.objects.filter(id__lt=10**8).order_by('-id')"
                ".values_list('arxiv_id', flat=True)[:5000]))"
            ).split()
            days = cluster.shell(
                "from paperfeed.catalogue.models import Paper;"
                "print(' '.join(str(d) for d in Paper.objects.order_by('-announced')"
                ".values_list('announced', flat=True).distinct()[:30]))"
            ).split()
            urls = {
                "daily feed": [f"/?date={d}" for d in days],
                "paper page": [
                    f"/papers/{i}" for i in random.Random(1).sample(ids, min(500, len(ids)))
                ],
                "trending": ["/trending?window=day", "/trending?window=week"],
                "api papers": [f"/api/papers?date={d}&limit=50" for d in days],
                "search": [f"/search?q={w.replace(' ', '+')}" for w in WORDS],
            }
            for name in ("web1", "web2"):
                cluster.start(name)
            for name in ("web1", "web2"):
                cluster.wait_web(name)
            bases = [("127.0.0.1", cluster.ports["web1"]), ("127.0.0.1", cluster.ports["web2"])]
            http_bases = [f"http://{h}:{p}" for h, p in bases]
            stats = Stats()

            running: dict[str, int] = {}  # the import, while it runs
            cpu = CpuRoles(url, postmaster(pg), lambda: {
                **{name: proc.pid for name, proc in cluster.procs.items()}, **running})  # fmt: skip
            cpu.start()
            origin = time.perf_counter()
            import_started = imported_at = origin
            drained_at = float("inf")  # when the workers had embedded every new paper

            async def scenario() -> float:
                started = origin
                stop = started + args.seconds

                async def chaos() -> None:
                    await asyncio.sleep(args.seconds / 2)
                    cluster.kill("worker1")
                    cluster.kill("web1")
                    print(f"killed worker1 and web1 at {time.perf_counter() - started:.0f} s")
                    await asyncio.sleep(2)
                    cluster.start("worker1")
                    cluster.start("web1")

                n = args.clients - args.voters
                balancer = Balancer(len(bases))
                if args.rate:
                    due: asyncio.Queue = asyncio.Queue()
                    arriving = [arrivals(args.rate, urls, stop, due, n)]
                    readers = [reader(i, bases, balancer, due.get, stats) for i in range(n)]
                else:
                    arriving = []
                    readers = [
                        reader(i, bases, balancer, closed_loop(i, urls, stop), stats)
                        for i in range(n)
                    ]
                # Closed loop: a voter posts again 0.3 s after an answer. Open loop: the
                # voters' posts arrive at random, one for every ten readers' requests.
                pause = -len(keys) / (args.rate * WRITES_PER_READ) if args.rate else 0.3
                voters = [
                    voter(i, k, http_bases, balancer, ids, stop, stats, pause)
                    for i, k in enumerate(keys)
                ]

                import_done = asyncio.Event()

                async def draining() -> None:
                    """Polls the queue once a second from the end of the import until
                    no indexing task waits or runs: after that, the readers had the
                    cores to themselves, as with workers on machines of their own."""
                    nonlocal drained_at
                    await import_done.wait()
                    with psycopg.connect(database_url_for(url, "drain-poller"),
                                         autocommit=True) as db:  # fmt: skip
                        while time.perf_counter() < stop:
                            if not await asyncio.to_thread(indexing_backlog, db):
                                drained_at = time.perf_counter()
                                return
                            await asyncio.sleep(1)

                async def importing() -> None:
                    nonlocal import_started, imported_at
                    await asyncio.sleep(args.import_at)
                    import_started = time.perf_counter()
                    importer = await asyncio.create_subprocess_exec(
                        sys.executable, "-m", "paperfeed", "import", str(work / "new.jsonl"),
                        "--batch-size", "100", env=cluster.env_for("import"),
                        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL,
                    )  # fmt: skip
                    running["import"] = importer.pid
                    await importer.wait()
                    imported_at = time.perf_counter()
                    import_done.set()

                await asyncio.gather(chaos(), importing(), draining(), *arriving, *readers, *voters)
                return time.perf_counter() - started

            elapsed = asyncio.run(scenario())
            cpu.stop()
            if web_cpus:
                where = (f"the web processes on core {cpu_list(web_cpus)}, the rest on "
                         f"{cpu_list(cpus - web_cpus)}")  # fmt: skip
            elif worker_cpus:
                where = (f"the workers on core {cpu_list(worker_cpus)}, the rest on all "
                         f"{len(cpus)} cores")  # fmt: skip
            else:
                where = f"all on {len(cpus)} cores"
            print(f"\n{before['papers']:,} papers (+{args.new} imported during the run), "
                  f"{args.clients} clients ({args.voters} signed in), two web processes, two "
                  f"workers, PostgreSQL, {where}; {load()}")  # fmt: skip
            total = sum(stats.statuses.values())
            how = (
                f"readers' requests arriving at random, {args.rate:g} a second (open loop)"
                if args.rate
                else "each reader asking again when answered (closed loop)"
            )
            print(f"{total:,} requests in {elapsed:.1f} s: {total / elapsed:,.0f} requests/s; "
                  f"{how}")  # fmt: skip
            kinds = [*urls, "vote", "comment"]
            report(stats, kinds)
            began, imported = import_started - origin, imported_at - origin
            if imported < args.seconds:
                print(f"\nof these, those due while the import ran ({began:.0f} to "
                      f"{imported:.0f} s):")  # fmt: skip
                report(stats, kinds, since=import_started, until=imported_at)
                print(f"\nof these, those due after the import ended ({imported:.0f} s):")
                report(stats, kinds, since=imported_at)
            drained = drained_at - origin
            if drained < args.seconds:
                print(f"\nof these, those due after the workers had embedded every new paper "
                      f"({drained:.0f} s; the readers alone on the cores):")  # fmt: skip
                report(stats, kinds, since=drained_at)
            else:
                print("\nthe workers were still embedding at the end of the run (--seconds "
                      "longer shows the readers alone once they are done)")  # fmt: skip
            timeline(stats, origin, f"import from {began:.0f} to {imported:.0f} s, "
                     f"web1 and worker1 killed at {args.seconds / 2:.0f} s")  # fmt: skip
            parts = [("whole run", cpu.seconds(), elapsed)]
            if imported < args.seconds:
                parts.append(("import", cpu.seconds(import_started, imported_at), imported - began))
                parts.append(("after import", cpu.seconds(imported_at), elapsed - imported))
            if drained < args.seconds:
                parts.append(("after indexing", cpu.seconds(drained_at), elapsed - drained))
            print()
            report_cpu(parts, len(cpus))

            # Recovery and the checks.
            deadline = time.monotonic() + 900
            while (q := cluster.queue())["waiting"] + q["running"] and time.monotonic() < deadline:
                time.sleep(3)
            after = facts(cluster)
            checks = {
                "every paper embedded": after["embedded"]
                == after["papers"]
                == before["papers"] + args.new,
                # Each post names a paper the voter has not posted to: stored at most
                # once. Every accepted one stored; an unanswered one stored or not.
                "votes stored once each": len(stats.votes)
                <= after["votes"] - before["votes"]
                <= len(stats.votes) + stats.unanswered["vote"],
                "vote totals = votes": after["trending_votes"] == after["votes"],
                "comments stored once each": stats.comments
                <= after["comments"] - before["comments"]
                <= stats.comments + stats.unanswered["comment"],
                "no task waiting/running/failed": q["waiting"] + q["running"] + q["failed"] == 0,
            }
            print(f"\nafter recovery: {after}, queue {q}")
            for name, ok in checks.items():
                print(f"  {'ok  ' if ok else 'FAIL'} {name}")
        finally:
            cluster.stop_all()
            if not args.postgres:
                subprocess.run([sys.executable, str(ROOT / "scripts/postgres.py"), "stop",
                                str(pg)], capture_output=True)  # fmt: skip
            elif web_cpus:
                pin_server(pg, cpus)  # the server goes on with every core


def report(stats: Stats, kinds: list[str], since: float = 0.0, until: float = float("inf")) -> None:
    """p50 / p95 and other statuses per kind of the requests due from ``since`` to
    ``until`` (other statuses for the whole run only), and for pages the cached and the
    rendered apart."""
    print(f"{'kind':<12} {'ok':>7} {'p50 ms':>8} {'p95 ms':>8}  other statuses")

    def row(label: str, values: list[float], others: object = "") -> None:
        p50, p95 = statistics.median(values) * 1000, percentile(values, 0.95) * 1000
        print(f"{label:<12} {len(values):>7} {p50:>8.1f} {p95:>8.1f}  {others or ''}")

    for kind in kinds:
        values = stats.seconds(kind, since=since, until=until)
        others = {
            s: n for (k, s), n in stats.statuses.items() if k == kind and s not in ("200", "302")
        }
        if values or (others and not since):
            row(kind, values or [0.0], "" if since else others)
        for cache, label in (("hit", "  cached"), ("miss", "  rendered")):
            if part := stats.seconds(kind, cache, since, until):
                row(label, part)


def timeline(stats: Stats, origin: float, events: str, step: float = 10) -> None:
    """p50 / p95 of the requests due in each ``step`` seconds: where the slow ones were
    (the start, with cold processes and the import; the kill and the restarted web
    process)."""
    buckets: dict[int, list[float]] = {}
    for answer in stats.answered:
        buckets.setdefault(int((answer.due - origin) // step), []).append(answer.seconds)
    print(f"\nby when requests were due ({events}):")
    print(f"{'seconds':<12} {'ok':>7} {'p50 ms':>8} {'p95 ms':>8}")
    for n in sorted(buckets):
        values = buckets[n]
        p50, p95 = statistics.median(values) * 1000, percentile(values, 0.95) * 1000
        label = f"{n * step:.0f}-{(n + 1) * step:.0f}"
        print(f"{label:<12} {len(values):>7} {p50:>8.1f} {p95:>8.1f}")


def indexing_backlog(db: psycopg.Connection) -> int:
    """Indexing tasks waiting or running (a killed worker's, until its lease expires)."""
    return db.execute(
        "SELECT COUNT(*) FROM django_tasks_database_dbtaskresult"
        " WHERE status IN ('READY', 'RUNNING') AND task_path LIKE %s",
        ["%.index_papers"],
    ).fetchone()[0]


def facts(cluster: Cluster) -> dict:
    return json.loads(cluster.shell(
        "import json; from paperfeed.catalogue.models import Paper;"
        "from paperfeed.search.models import PaperEmbedding as E;"
        "from paperfeed.community.models import Vote, Comment;"
        "from paperfeed.community.models import PaperState as S;"
        "from django.db.models import Sum;"
        "print(json.dumps({'papers': Paper.objects.count(), 'embedded': E.objects.count(),"
        " 'votes': Vote.objects.count(), 'comments': Comment.objects.count(),"
        " 'trending_votes': S.objects.aggregate(n=Sum('votes'))['n'] or 0}))"
    ))  # fmt: skip


def buffers(cluster: Cluster) -> str:
    """PostgreSQL's shared_buffers against the search indexes it should hold (what
    ``check-deploy`` W010 compares): searches are much slower when they do not fit."""
    indexes, buffers = json.loads(cluster.shell(
        "import json; from paperfeed.monitoring.checks import search_index_sizes;"
        "print(json.dumps(search_index_sizes()))"
    ))  # fmt: skip
    return f"shared_buffers {buffers >> 20:,} MB, search indexes {indexes >> 20:,} MB"


def new_ids(cluster: Cluster, lines: list[str], backfill: bool = False) -> str:
    """The listings as new papers: ids 2612.NNNNN, announced on one new day (on their
    own days with ``backfill``). Earlier runs' papers are deleted first (with their
    votes and comments), so every run starts from the same catalogue: kept, they all
    shared that day, and after 15 runs it held 30,000 papers (a real day has a few
    thousand), which slowed that day's pages. Their ids are given out again, too."""
    deleted = cluster.shell(
        "from django.db import connection; from paperfeed.catalogue.models import Paper;"
        "n = Paper.objects.filter(arxiv_id__startswith='2612.').delete()[1]"
        ".get('catalogue.Paper', 0);"
        # ...and the ids they took given out again, as if they had never been: ids
        # left unused above the catalogue would thin the newest keyword blocks.
        'connection.cursor().execute("SELECT setval(pg_get_serial_sequence('
        "'catalogue_paper', 'id'), (SELECT MAX(id) FROM catalogue_paper))\");"
        "print(n)"
    )
    if int(deleted):
        print(f"deleted the {int(deleted):,} papers earlier runs added")
    out = []
    for n, line in enumerate(lines, start=1):
        record = json.loads(line)
        record["id"] = f"2612.{n:05d}"
        record["abs_url"] = f"https://arxiv.org/abs/{record['id']}"
        record["pdf_url"] = f"https://arxiv.org/pdf/{record['id']}"
        if not backfill:
            record["listing_date"] = "2026-12-01"
        out.append(json.dumps(record) + "\n")
    return "".join(out)


if __name__ == "__main__":
    main()
