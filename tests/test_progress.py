"""Progress of long commands, run as a user runs them (real subprocesses): plain
periodic lines away from a terminal, a bar on a terminal, nothing with --quiet."""

from __future__ import annotations

import fcntl
import gzip
import os
import pty
import re
import struct
import subprocess
import sys
import termios

import pytest

from tests.support.paths import LISTINGS

pytestmark = pytest.mark.slow

LINE = re.compile(
    r"^import .*slice\.jsonl\.gz: (\d+)/300 records \(\d+%\), [\d.]+ records/s, [\d:]+ left$"
)


@pytest.fixture
def env(tmp_path):
    environment = {
        **os.environ,
        "PAPERFEED_DATA_DIR": str(tmp_path / "data"),
        "PAPERFEED_PROGRESS_SECONDS": "0",  # a line at every step: the run is short
        "PAPERFEED_TASK_BACKEND": "django_tasks.backends.dummy.DummyBackend",
    }
    environment.pop("DATABASE_URL", None)
    return environment


@pytest.fixture
def slice_file(tmp_path):
    path = tmp_path / "slice.jsonl.gz"
    with gzip.open(LISTINGS, "rt") as source, gzip.open(path, "wt") as target:
        target.writelines(line for _, line in zip(range(300), source, strict=False))
    return path


def paperfeed(env, *args):
    return subprocess.run(
        [sys.executable, "-m", "paperfeed", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )


def test_import_away_from_a_terminal_prints_periodic_lines(env, slice_file):
    done = paperfeed(env, "import", str(slice_file), "--batch-size", "100")
    lines = done.stderr.splitlines()
    counts = [int(m.group(1)) for m in map(LINE.match, lines) if m]
    assert counts == [100, 200, 300]
    assert re.match(r"^import .*: 300 records, [\d.]+ records/s, done in [\d:]+$", lines[-1])
    assert "300 created" in done.stdout  # results stay on standard output


def test_quiet_prints_no_progress(env, slice_file):
    done = paperfeed(env, "import", str(slice_file), "--batch-size", "100", "--quiet")
    assert done.stderr == ""
    assert "300 created" in done.stdout
    exported = paperfeed(env, "export", "-o", str(slice_file.with_name("out.jsonl")), "--quiet")
    assert "records/s" not in exported.stderr and "papers/s" not in exported.stderr


def test_export_on_a_terminal_shows_a_bar_with_rate_and_time_left(env, slice_file, tmp_path):
    paperfeed(env, "import", str(slice_file), "--quiet")
    main, terminal = pty.openpty()
    fcntl.ioctl(terminal, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 100, 0, 0))
    process = subprocess.Popen(
        [sys.executable, "-m", "paperfeed", "export", "-o", str(tmp_path / "out.jsonl"),
         "--batch-size", "100"],
        env=env,
        stderr=terminal,
        stdout=subprocess.DEVNULL,
    )  # fmt: skip
    os.close(terminal)
    shown = b""
    while True:
        try:
            chunk = os.read(main, 4096)
        except OSError:  # the terminal closed with the process
            break
        if not chunk:
            break
        shown += chunk
    assert process.wait(timeout=60) == 0
    frames = shown.decode().split("\r")
    # tqdm redraws at most every 0.1 s, so which counts get a frame depends on speed:
    # any frame past the start must show the count, the rate and the time left.
    assert any(re.match(r"^export: +\d+%\|.*\| [1-9]\d*/300 \[[\d:]+<[\d:]+, [\d.]+ papers/s\]", f)
               for f in frames), frames  # fmt: skip
    assert any(" 300/300 " in frame for frame in frames)


def test_export_to_standard_output_keeps_progress_out_of_the_papers(env, slice_file):
    paperfeed(env, "import", str(slice_file), "--quiet")
    done = paperfeed(env, "export", "--batch-size", "100")
    assert len(done.stdout.splitlines()) == 300
    assert all(line.startswith("{") for line in done.stdout.splitlines())
    assert "export: 300/300 papers (100%)" in done.stderr
