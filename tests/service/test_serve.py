"""The all-in-one server, started as a user would: the ``paperfeed`` command."""

import os
import socket
import subprocess
import sys
import time
import urllib.request

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
