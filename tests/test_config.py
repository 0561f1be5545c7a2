"""The generated secret key: one per data directory, whatever starts first."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from paperfeed import config


@pytest.fixture
def no_key_in_env(monkeypatch):
    monkeypatch.delenv("PAPERFEED_SECRET_KEY", raising=False)


def test_a_key_is_made_once_and_kept(tmp_path, no_key_in_env):
    key = config.secret_key(tmp_path)
    assert len(key) >= 50
    assert config.secret_key(tmp_path) == key
    assert stat.S_IMODE((tmp_path / "secret_key").stat().st_mode) == 0o600
    assert [p.name for p in tmp_path.iterdir()] == ["secret_key"]  # no temporary left


def test_a_process_that_lost_the_race_takes_the_winners_key(tmp_path, no_key_in_env, monkeypatch):
    """Both saw no file; the other wrote first: this one neither fails nor replaces it
    (a clean-clone run had `import` die on FileExistsError here)."""
    (tmp_path / "secret_key").write_text("the-first-key\n")
    monkeypatch.setattr(Path, "exists", lambda self: False)  # checked before it was there
    assert config.secret_key(tmp_path) == "the-first-key"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["secret_key"]


def test_the_environment_wins(tmp_path, monkeypatch):
    monkeypatch.setenv("PAPERFEED_SECRET_KEY", "from-the-environment")
    assert config.secret_key(tmp_path) == "from-the-environment"
    assert not (tmp_path / "secret_key").exists()
