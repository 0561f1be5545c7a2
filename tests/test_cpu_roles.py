"""The load benchmark's CPU accounting (``benchmarks/cpu_roles.py``): a process's CPU
time counts for its registered ancestor's role, its children's included; a PostgreSQL
backend's counts for its client's role, named by the client's application name."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path

import pytest
from django.db import connection

PATH = Path(__file__).resolve().parents[1] / "benchmarks" / "cpu_roles.py"
spec = importlib.util.spec_from_file_location("cpu_roles", PATH)
assert spec and spec.loader
cpu_roles = importlib.util.module_from_spec(spec)
spec.loader.exec_module(cpu_roles)

# A parent that only waits for a child burning about a second of CPU.
BURN = "import time\nend = time.process_time() + 1.0\nwhile time.process_time() < end: pass\n"
PARENT = f"import subprocess, sys; subprocess.run([sys.executable, '-c', {BURN!r}])"


def test_the_url_names_its_client_and_keeps_the_rest():
    url = "postgres://u@%2Ftmp%2Fpg/db?sslmode=disable&application_name=old"
    named = urllib.parse.urlsplit(cpu_roles.database_url_for(url, "web1"))
    assert urllib.parse.parse_qs(named.query) == {
        "sslmode": ["disable"],
        "application_name": ["web1"],
    }
    assert named.netloc == "u@%2Ftmp%2Fpg" and named.path == "/db"
    assert cpu_roles.role_of("web12") == "web" and cpu_roles.role_of("import") == "import"


def test_a_process_and_its_children_count_for_its_role():
    roots: dict[str, int] = {}
    sampler = cpu_roles.CpuRoles(None, 0, lambda: dict(roots), interval=0.05)
    idle = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(3)"])
    roots["sleeper1"] = idle.pid
    sampler.start()
    before = time.perf_counter()
    burner = subprocess.Popen([sys.executable, "-c", PARENT])
    roots["burner2"] = burner.pid
    burner.wait()
    sampler.stop()
    idle.kill()
    idle.wait()
    used = sampler.seconds()
    # The child's second, less what it used between its last sample and its exit.
    assert 0.8 <= used["burner"] <= 1.3
    assert used.get("sleeper", 0.0) < 0.1
    assert "clients" in used  # this process, which started both
    assert sampler.seconds(until=before).get("burner", 0.0) == 0.0


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's backends")
def test_a_backend_counts_for_its_client():
    import psycopg

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        (backend,) = cursor.fetchone()
    postmaster = int(Path(f"/proc/{backend}/stat").read_text().rsplit(")", 1)[1].split()[1])
    s = connection.settings_dict
    url = (
        f"postgres://{s['USER']}:{s['PASSWORD']}@{urllib.parse.quote(s['HOST'], safe='')}"
        f"{':' + str(s['PORT']) if s['PORT'] else ''}/{s['NAME']}"
    )
    sampler = cpu_roles.CpuRoles(url, postmaster, dict, interval=0.05)
    with psycopg.connect(cpu_roles.database_url_for(url, "tester1"), autocommit=True) as client:
        client.execute("SET max_parallel_workers_per_gather = 0")  # one backend does it all
        sampler.start()
        started = time.perf_counter()
        client.execute("SELECT count(*) FROM generate_series(1, 4000000) g WHERE g % 7 = 1")
        took = time.perf_counter() - started
        sampler.stop()
    used = sampler.seconds()
    assert used["database for tester"] >= 0.5 * took
    # The query's time is the server's, not this process's.
    assert used.get("clients", 0.0) < used["database for tester"]
