"""The benchmarks' data sets and a clear stop when one is missing.

The benchmarks read the large real data sets in the shared data folder beside the
repository (``../shared/data``); the tests never do (they use ``tests/fixtures``). A
script that cannot find what it measures names the file, says what it is, and exits
with status 1 instead of failing later with a traceback.
"""

from __future__ import annotations

import sys
from pathlib import Path

SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
LISTINGS = SHARED_DATA / "arxiv" / "cs-listings-2025-03_2026-07.jsonl.gz"
LISTINGS_WHAT = "the 74,728 arXiv cs papers of the daily listings, one JSON object a line"
SCIFACT = SHARED_DATA / "scifact"
SCIFACT_WHAT = {
    "corpus.jsonl": "BEIR SciFact's 5,183 abstracts",
    "queries-train.jsonl": "BEIR SciFact's 809 training claims",
    "qrels-train.tsv": "BEIR SciFact's relevance judgments for the training claims",
}


def require(path: Path, what: str) -> Path:
    """``path`` if it exists; otherwise a message naming it and what it holds, and exit 1."""
    if not Path(path).exists():
        sys.exit(
            f"benchmark data not found: {path}\n"
            f"  expected: {what}.\n"
            f"  The benchmarks read the shared data folder beside the repository "
            f"({SHARED_DATA}); put the file there or pass its path where the script takes one."
        )
    return Path(path)


def require_listings(path: Path = LISTINGS) -> Path:
    return require(path, LISTINGS_WHAT)


def require_scifact(name: str) -> Path:
    return require(SCIFACT / name, SCIFACT_WHAT[name])


def require_data_dir(path: str | Path, what: str) -> Path:
    """A ``--data-dir`` a benchmark reads: it must exist (and hold ``what``)."""
    return require(Path(path), f"a paperfeed data directory holding {what}")
