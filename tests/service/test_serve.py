"""The all-in-one server, started as a user would: the ``paperfeed`` command."""

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.slow
def test_serve_migrates_a_fresh_data_dir_and_answers(tmp_path):
    port = free_port()
    env = {
        **os.environ,
        "PAPERFEED_DATA_DIR": str(tmp_path),
    }
    env.pop("DATABASE_URL", None)  # the embedded default
    proc = subprocess.Popen(
        [sys.executable, "-m", "paperfeed", "serve", "--port", str(port), "--workers", "1",
         "--no-schedule"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        body = None
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and body is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as response:
                    assert response.status == 200
                    body = response.read().decode()
            except OSError:
                if proc.poll() is not None:
                    break
                time.sleep(0.5)
        assert body is not None, proc.stdout.read().decode() if proc.poll() is not None else ""
        assert "paperfeed import" in body  # the empty site says what to do next
        assert (tmp_path / "paperfeed.sqlite3").exists()
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    assert proc.returncode == 0
    # The web process did its first-request work before serving (paperfeed.web.warmup).
    assert "web process warmed up" in proc.stdout.read().decode()


@pytest.mark.slow
def test_digest_links_point_at_the_port_served(tmp_path):
    """Without PAPERFEED_BASE_URL, the digest the worker child sends links every page
    and the List-Unsubscribe header to the host and port ``serve`` was given."""
    import email
    import email.policy
    import gzip

    from tests.support.paths import LISTINGS

    port = free_port()
    log = tmp_path / "serve.log"
    env = {**os.environ, "PAPERFEED_DATA_DIR": str(tmp_path)}
    for name in ("DATABASE_URL", "PAPERFEED_BASE_URL", "SMTP_URL"):
        env.pop(name, None)  # embedded SQLite; mail written as .eml files
    papers = tmp_path / "papers.jsonl.gz"
    with gzip.open(LISTINGS, "rt") as source, gzip.open(papers, "wt") as target:
        lines = [line for _, line in zip(range(40), source, strict=False)]
        target.writelines(lines)
    day = json.loads(lines[0])["listing_date"]

    def paperfeed(*args: str, **extra: str) -> str:
        done = subprocess.run(
            [sys.executable, "-m", "paperfeed", *args],
            env={**env, **extra},
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert done.returncode == 0, done.stderr
        return done.stdout

    # No indexing tasks: this test is about mail, and the worker would embed first.
    paperfeed(
        "import", str(papers), PAPERFEED_TASK_BACKEND="django_tasks.backends.dummy.DummyBackend"
    )
    paperfeed("subscribers", "add", "reader@example.org", "--confirmed")
    proc = subprocess.Popen(
        [sys.executable, "-m", "paperfeed", "serve", "--port", str(port), "--workers", "1",
         "--no-schedule"],
        env=env,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        assert "1 batch(es) queued" in paperfeed(
            "digest", "send", "--period", "daily", "--date", day
        )
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and not list((tmp_path / "mail").glob("*")):
            assert proc.poll() is None
            time.sleep(0.5)
        (sent,) = list((tmp_path / "mail").glob("*"))
        message = email.message_from_bytes(sent.read_bytes(), policy=email.policy.default)
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    site = f"http://127.0.0.1:{port}/"
    assert message["List-Unsubscribe"].strip().startswith(f"<{site}digests/unsubscribe/")
    text = message.get_body(preferencelist=("plain",)).get_content()
    html = message.get_body(preferencelist=("html",)).get_content()
    assert f"{site}papers/" in text and f'href="{site}papers/' in html
    assert ":8000" not in sent.read_text()
    assert f"links in emails point to {site} (from --host and --port" in log.read_text()


def test_served_url_names_the_host_links_can_reach():
    from paperfeed.service.management.commands.serve import served_url

    assert served_url("127.0.0.1", 8123) == "http://127.0.0.1:8123"
    assert served_url("::1", 8123) == "http://[::1]:8123"
    assert served_url("0.0.0.0", 8123) == f"http://{socket.getfqdn()}:8123"


def test_serve_refuses_a_port_that_is_taken(tmp_path):
    with socket.socket() as taken:
        # as a running paperfeed (granian) holds its port: shareable, so a plain bind
        # check is the only thing that notices
        taken.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        env = {**os.environ, "PAPERFEED_DATA_DIR": str(tmp_path)}
        env.pop("DATABASE_URL", None)
        done = subprocess.run(
            [sys.executable, "-m", "paperfeed", "serve", "--port", str(port), "--workers", "1",
             "--no-schedule", "--no-worker"],
            env=env, capture_output=True, text=True, timeout=60,
        )  # fmt: skip
    assert done.returncode != 0
    assert f"127.0.0.1:{port}" in done.stderr and "in use" in done.stderr


def processes_using(data_dir: Path) -> list[int]:
    """Live processes whose environment names ``data_dir`` as their data directory."""
    wanted = f"PAPERFEED_DATA_DIR={data_dir}".encode()
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if wanted in (entry / "environ").read_bytes().split(b"\0"):
                    found.append(int(entry.name))
            except OSError:  # ended meanwhile, or not ours to read
                pass
    return found


@pytest.mark.slow
def test_serve_stopped_while_its_web_process_warms_up_leaves_nothing_running(tmp_path):
    """On a fresh data directory the web process's warm-up builds the embedding model
    graph, several seconds; SIGTERM then must still stop it, not leave it serving with
    nobody to stop it (granian kills a web process that does not stop in time)."""
    log = tmp_path / "serve.log"
    env = {**os.environ, "PAPERFEED_DATA_DIR": str(tmp_path)}
    env.pop("DATABASE_URL", None)
    proc = subprocess.Popen(
        [sys.executable, "-m", "paperfeed", "serve", "--port", str(free_port()),
         "--workers", "1", "--no-worker", "--no-schedule"],
        env=env, stdout=log.open("w"), stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 120
        while "Spawning worker-1" not in log.read_text() and time.monotonic() < deadline:
            assert proc.poll() is None, log.read_text()
            time.sleep(0.2)
        assert "warmed up" not in log.read_text()  # stopped in the middle of it
        proc.terminate()
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    time.sleep(1)
    left = processes_using(tmp_path)
    for pid in left:
        os.kill(pid, signal.SIGKILL)
    assert left == [], log.read_text()
