"""The ``paperfeed`` command as an operator runs it: a fresh data directory, real exit codes."""

import json
import os
import subprocess
import sys

from tests.support.paths import SNAPSHOT


def paperfeed(*args, data_dir):
    env = {**os.environ, "PAPERFEED_DATA_DIR": str(data_dir)}
    env.pop("DATABASE_URL", None)
    return subprocess.run(
        [sys.executable, "-m", "paperfeed", *args], env=env, capture_output=True, text=True
    )


def test_first_use_migrates_and_imports(tmp_path):
    done = paperfeed("import", str(SNAPSHOT), data_dir=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "200 created" in done.stdout
    stats = paperfeed("stats", "--json", data_dir=tmp_path)
    assert json.loads(stats.stdout)["papers"] == 200


def test_dashed_command_names_work(tmp_path):
    done = paperfeed("run-schedule", "--help", data_dir=tmp_path)
    assert done.returncode == 0
    assert "--once" in done.stdout


def test_bad_input_exits_non_zero_with_the_reason(tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "2501.00001"}\n')
    done = paperfeed("import", str(bad), data_dir=tmp_path)
    assert done.returncode != 0
    assert f"{bad}:1: missing 'title'" in done.stderr


def test_commands_started_together_on_a_fresh_data_dir_both_migrate_and_run(tmp_path):
    """`serve` in one terminal and `import` in the next, at once: before, both migrated
    and one died on "table ... already exists"."""
    env = {**os.environ, "PAPERFEED_DATA_DIR": str(tmp_path)}
    env.pop("DATABASE_URL", None)
    started = [
        subprocess.Popen(
            [sys.executable, "-m", "paperfeed", *args],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for args in (["import", str(SNAPSHOT)], ["stats", "--json"], ["stats", "--json"])
    ]
    for process in started:
        out, err = process.communicate(timeout=300)
        assert process.returncode == 0, err
    stats = paperfeed("stats", "--json", data_dir=tmp_path)
    assert json.loads(stats.stdout)["papers"] == 200
