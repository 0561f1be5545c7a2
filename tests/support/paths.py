"""Where the shared real-data folder is: beside the repository, in checkouts and in CI."""

from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SHARED_DATA = (REPO.parent / "shared" / "data").resolve()
LISTINGS = SHARED_DATA / "arxiv" / "cs-listings-2025-03_2026-07.jsonl.gz"
SNAPSHOT = SHARED_DATA / "formats" / "arxiv-snapshot" / "arxiv-metadata-oai-snapshot.first200.jsonl"
FORMATS = SHARED_DATA / "formats"
