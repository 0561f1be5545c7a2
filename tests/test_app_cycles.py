"""scripts/app_cycles.py: CI fails when two apps import each other, directly or round
a circle, function-local imports included; the repository itself has no cycle."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SCRIPT = REPO / "scripts" / "app_cycles.py"


def run(root: Path, *flags: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(SCRIPT), *flags, str(root)], capture_output=True, text=True
    )


def write(root: Path, relative: str, text: str) -> None:
    path = root / "src" / "paperfeed" / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def test_the_repository_has_no_cycle():
    result = run(REPO)
    assert result.returncode == 0, result.stdout
    assert "no cycles" in result.stdout


def test_a_circle_through_a_function_local_import_fails(tmp_path):
    write(tmp_path, "a/models.py", "from paperfeed.b import views\n")
    write(tmp_path, "b/views.py", "from paperfeed.c.x import y\n")
    write(tmp_path, "c/x.py", "def y():\n    from paperfeed.a.models import Thing\n")
    write(tmp_path, "a/migrations/0001.py", "from paperfeed.c import x\n")  # ignored
    result = run(tmp_path)
    assert result.returncode == 1
    assert "apps importing each other: a, b, c" in result.stdout


def test_one_way_imports_pass_and_local_imports_need_a_reason(tmp_path):
    write(tmp_path, "a/models.py", "from paperfeed.b import views\n")
    write(tmp_path, "b/views.py", "def f():\n    from paperfeed.c import x\n")
    write(tmp_path, "c/x.py", "X = 1\n")
    assert run(tmp_path).returncode == 0
    strict = run(tmp_path, "--strict")
    assert strict.returncode == 1
    assert "src/paperfeed/b/views.py:2 imports c" in strict.stdout
    write(
        tmp_path,
        "b/views.py",
        "def f():\n    # Imported here: models load after the app registry.\n"
        "    from paperfeed.c import x\n",
    )
    assert run(tmp_path, "--strict").returncode == 0
