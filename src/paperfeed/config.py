"""Where paperfeed keeps its files and how it reads the environment.

Kept apart from settings.py so the CLI can find the data directory (and create it)
before Django is configured.
"""

from __future__ import annotations

import os
import secrets
import tempfile
from pathlib import Path


def private_files() -> None:
    """Make every file this process creates readable by its owner only (0600 files,
    0700 folders): the database, its WAL, the page cache, mail files and indexes hold
    readers' addresses and session keys, and the data directory's parent may be shared.
    The umask covers what SQLite, diskcache and Django's file mail backend create
    themselves, which take no mode argument."""
    os.umask(0o077)


def data_dir() -> Path:
    """The folder holding the SQLite database, the secret key, indexes and mail files.

    ``PAPERFEED_DATA_DIR`` wins; otherwise the XDG data home, so that a plain
    ``paperfeed serve`` works from any working directory.
    """
    explicit = os.environ.get("PAPERFEED_DATA_DIR")
    if explicit:
        path = Path(explicit).expanduser()
    else:
        base = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
        path = Path(base) / "paperfeed"
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    return path.resolve()


def secret_key(folder: Path) -> str:
    """The signing key: from ``PAPERFEED_SECRET_KEY``, else one generated once and kept
    (mode 600) in the data directory, so tokens stay valid across restarts."""
    from_env = os.environ.get("PAPERFEED_SECRET_KEY")
    if from_env:
        return from_env
    key_file = folder / "secret_key"
    if not key_file.exists():
        create_once(key_file, secrets.token_urlsafe(50))
    return key_file.read_text().strip()


def create_once(path: Path, text: str) -> None:
    """Give ``path`` this text (mode 600) unless another process got there first, whose
    text then stands: commands started together on a fresh data directory must agree on
    one key. Written whole under a temporary name and linked into place, so no process
    reads a half-written file, and a link onto an existing name fails instead of
    replacing it."""
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "w") as out:
            out.write(text)
        os.link(temporary, path)
    except FileExistsError:
        pass
    finally:
        os.unlink(temporary)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    """An integer setting; a value that is not one stops start-up with the name."""
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    try:
        return int(value)
    except ValueError:
        raise ValueError(f"{name} must be a whole number, got {value!r}") from None


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if not value:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]
