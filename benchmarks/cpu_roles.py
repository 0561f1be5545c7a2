"""CPU time by role over a run of several processes on this machine, for the load
benchmarks: what the cores were doing while readers waited.

A sampler thread reads, twice a second, every process's CPU time from ``/proc`` and
PostgreSQL's ``pg_stat_activity``. A process counts for the role of its nearest
registered ancestor (``web1`` with its granian children counts as ``web``); a
PostgreSQL backend counts as the database time of its client, named by the client's
``application_name`` (``database_url_for`` adds it to each process's
``DATABASE_URL``), a parallel worker as its leader's; the server's own processes
(checkpointer, WAL writer, autovacuum) as ``database, background``; this script's
process as ``clients``. Linux only.

Each sample adds the CPU time used since the previous one, so ``seconds(since,
until)`` gives any stretch of the run (the import, what came after it). A process seen
for the first time after the first sample counts from its start; what a process uses
between its last sample and its exit (at most half a second) is not counted.
"""

from __future__ import annotations

import os
import threading
import time
import urllib.parse
from collections import Counter, defaultdict
from pathlib import Path

TICK = os.sysconf("SC_CLK_TCK")
BACKGROUND = "database, background"
BACKEND_OF = "database for "  # a backend's role: this and its client's


def database_url_for(url: str, name: str) -> str:
    """``url`` with ``application_name=name``: the server then names the backend's client."""
    parts = urllib.parse.urlsplit(url)
    query = urllib.parse.parse_qsl(parts.query)
    query = [(k, v) for k, v in query if k != "application_name"] + [("application_name", name)]
    return urllib.parse.urlunsplit(parts._replace(query=urllib.parse.urlencode(query)))


def role_of(name: str) -> str:
    """``web1`` and ``web2`` are both ``web``."""
    return name.rstrip("0123456789") or name


def _stat(pid: int) -> tuple[int, float] | None:
    """(parent pid, CPU seconds used so far) of a live process, or None."""
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = raw[raw.rindex(")") + 2 :].split()  # after the command name, which may hold spaces
    return int(fields[1]), (int(fields[11]) + int(fields[12])) / TICK


class CpuRoles:
    """Samples CPU time by role in a thread between ``start()`` and ``stop()``.

    ``roots()`` gives the registered processes (name to pid) at each sample, so
    processes started again (a killed web process) are counted under their name."""

    def __init__(self, database_url: str | None, postmaster: int, roots, interval: float = 0.5):  # type: ignore[no-untyped-def]
        # Without a database URL, backends are not told apart (all "database, background").
        self.url = database_url and database_url_for(database_url, "cpu-sampler")
        self.postmaster = postmaster
        self.roots = roots
        self.interval = interval
        self.used: dict[int, float] = {}  # pid: CPU seconds at its last sample
        self.samples: list[tuple[float, Counter[str]]] = []  # (perf_counter, seconds by role)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        if self.url:
            import psycopg

            self._db = psycopg.connect(self.url, autocommit=True)
        self.sample(first=True)
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread:
            self._thread.join()
        self.sample()
        if self.url:
            self._db.close()

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self.sample()

    def _clients(self) -> dict[int, str]:
        """Backend pid: its client's name (a parallel worker: its leader's)."""
        if not self.url:
            return {}
        rows = self._db.execute(
            "SELECT a.pid, COALESCE(l.application_name, a.application_name)"
            " FROM pg_stat_activity a LEFT JOIN pg_stat_activity l ON l.pid = a.leader_pid"
            " WHERE a.backend_type IN ('client backend', 'parallel worker')"
        ).fetchall()
        return {pid: name for pid, name in rows if name}

    def sample(self, first: bool = False) -> None:
        now = time.perf_counter()
        stats: dict[int, tuple[int, float]] = {}
        for entry in os.scandir("/proc"):
            if entry.name.isdigit() and (got := _stat(int(entry.name))):
                stats[int(entry.name)] = got
        named = {pid: role_of(name) for name, pid in self.roots().items()}
        named[os.getpid()] = "clients"
        clients = self._clients()
        roles: dict[int, str] = {}

        def role(pid: int) -> str | None:
            seen = []
            while pid not in roles:
                if pid in named:
                    roles[pid] = named[pid]
                elif pid == self.postmaster:
                    roles[pid] = BACKGROUND
                elif pid in stats and stats[pid][0] > 1:
                    seen.append(pid)
                    pid = stats[pid][0]
                    continue
                else:
                    roles[pid] = ""
                break
            found = roles[pid]
            for each in seen:
                roles[each] = found
            return found or None

        used: Counter[str] = Counter()
        for pid, (_, seconds) in stats.items():
            if (who := role(pid)) is None:
                continue  # not part of the run (the shell, the kernel's threads)
            if who == BACKGROUND and pid != self.postmaster:
                name = clients.get(pid)
                who = BACKEND_OF + role_of(name) if name else BACKGROUND
            before = self.used.get(pid, seconds if first else 0.0)
            self.used[pid] = seconds
            used[who] += max(0.0, seconds - before)
        self.samples.append((now, used))

    def seconds(self, since: float = 0.0, until: float = float("inf")) -> dict[str, float]:
        """CPU seconds by role used from ``since`` to ``until`` (perf_counter)."""
        total: defaultdict[str, float] = defaultdict(float)
        for at, used in self.samples[1:]:
            if since < at <= until:
                for who, value in used.items():
                    total[who] += value
        return dict(total)


def report(parts: list[tuple[str, dict[str, float], float]], cores: int) -> None:
    """A table of CPU seconds by role, one column per part of the run (label, seconds
    by role, its length in seconds), with the cores' capacity in each."""
    roles = sorted({r for _, part, _ in parts for r in part}, key=_order)
    print(f"{'CPU seconds by role':<26}" + "".join(f"{label:>16}" for label, _, _ in parts))
    for who in roles:
        label = f"  {who}" if who.startswith(BACKEND_OF) else who
        print(f"{label:<26}" + "".join(f"{part.get(who, 0.0):>16.1f}" for _, part, _ in parts))
    print(f"{'all':<26}" + "".join(f"{sum(part.values()):>16.1f}" for _, part, _ in parts))
    print(f"{f'of {cores} cores':<26}" + "".join(f"{cores * span:>16.1f}" for _, _, span in parts))


def _order(role: str) -> tuple[int, str, bool]:
    """Each process's role, then its database time, then the rest."""
    base = role.removeprefix(BACKEND_OF)
    rank = {"web": 0, "worker": 1, "import": 2, "clients": 3}.get(base, 4)
    return rank, base, role != base
