#!/usr/bin/env python3
"""Fail when paperfeed's Django apps import each other, directly or round a circle.

    python scripts/app_cycles.py [--strict] [repo-root]

Reads every module under ``src/paperfeed`` (migrations aside) and records an edge
A -> B for each import of ``paperfeed.B`` in app A (a top-level module such as
``settings.py`` counts as an app of its own). Imports inside functions count too: a
hidden import is still a tie, and each of them must say why it is hidden (a comment
naming the app-loading constraint on the lines just above it). Prints the groups of
apps that import each other and the function-local imports without a reason, and
exits 1 on a cycle (and, with ``--strict``, on an unexplained local import). The
layering the project keeps is in the README (Architecture).
"""

from __future__ import annotations

import ast
import sys
from collections import defaultdict
from pathlib import Path

# A function-local cross-app import is accepted with one of these words in a comment
# on the three lines above it (or on its own line).
REASONS = ("imported here", "app registry", "app-loading", "models load")


def app_of(path: Path, root: Path) -> str:
    parts = path.relative_to(root).parts
    return parts[0][:-3] if len(parts) == 1 else parts[0]


def imported_apps(node: ast.AST) -> list[str]:
    if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
        names = [node.module]
        if node.module == "paperfeed":  # from paperfeed import web
            names = [f"paperfeed.{alias.name}" for alias in node.names]
    elif isinstance(node, ast.Import):
        names = [alias.name for alias in node.names]
    else:
        return []
    return [n.split(".")[1] for n in names if n.startswith("paperfeed.")]


def scan(root: Path) -> tuple[dict[str, set[str]], list[str]]:
    """(edges between apps, unexplained function-local cross-app imports)."""
    edges: dict[str, set[str]] = defaultdict(set)
    unexplained: list[str] = []
    for path in sorted(root.rglob("*.py")):
        if "migrations" in path.relative_to(root).parts:
            continue
        app = app_of(path, root)
        source = path.read_text(encoding="utf-8")
        lines = source.splitlines()
        tree = ast.parse(source, filename=str(path))
        local = {
            id(inner)
            for fn in ast.walk(tree)
            if isinstance(fn, ast.FunctionDef | ast.AsyncFunctionDef)
            for inner in ast.walk(fn)
        }
        for node in ast.walk(tree):
            targets = [t for t in imported_apps(node) if t != app]
            for target in targets:
                edges[app].add(target)
            if targets and id(node) in local:
                start = max(0, node.lineno - 4)
                context = " ".join(lines[start : node.lineno]).lower()
                if not any(reason in context for reason in REASONS):
                    where = path.relative_to(root.parent.parent)
                    unexplained.append(f"{where}:{node.lineno} imports {', '.join(targets)}")
    return edges, unexplained


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Groups of two or more apps that reach each other (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(edges.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                group.append(w)
                if w == v:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for v in sorted(edges):
        if v not in index:
            visit(v)
    return groups


def main(argv: list[str]) -> int:
    strict = "--strict" in argv
    args = [a for a in argv[1:] if a != "--strict"]
    repo = Path(args[0] if args else Path(__file__).resolve().parents[1])
    root = repo / "src" / "paperfeed"
    if not root.is_dir():
        print(f"app_cycles: no {root}", file=sys.stderr)
        return 2
    edges, unexplained = scan(root)
    groups = cycles(edges)
    for group in groups:
        print("apps importing each other:", ", ".join(group))
    for line in unexplained:
        print("function-local cross-app import without a reason:", line)
    if groups or (strict and unexplained):
        return 1
    print(f"app imports: no cycles among {len(set(edges) | set().union(*edges.values()))} apps")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
