"""Where paperfeed keeps its files and how it reads the environment.

Kept apart from settings.py so the CLI can find the data directory (and create it)
before Django is configured.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path


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
    path.mkdir(parents=True, exist_ok=True)
    return path.resolve()


def secret_key(folder: Path) -> str:
    """The signing key: from ``PAPERFEED_SECRET_KEY``, else one generated once and kept
    (mode 600) in the data directory, so tokens stay valid across restarts."""
    from_env = os.environ.get("PAPERFEED_SECRET_KEY")
    if from_env:
        return from_env
    key_file = folder / "secret_key"
    if not key_file.exists():
        fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as out:
            out.write(secrets.token_urlsafe(50))
    return key_file.read_text().strip()


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if not value:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


def env_int(name: str, default: int) -> int:
    """A whole number from the environment; a value that is not one stops start-up with
    an error naming the variable, instead of a bare ``ValueError``."""
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    try:
        return int(value)
    except ValueError:
        raise ValueError(f"{name} must be a whole number, not {value!r}") from None
