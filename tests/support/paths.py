"""Where the tests' recorded data is: ``tests/fixtures``, inside the repository, so a
bare clone runs the suite (the larger shared data sets are for benchmarks only)."""

from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
FIXTURES = REPO / "tests" / "fixtures"
LISTINGS = FIXTURES / "arxiv" / "cs-listings-first2000.jsonl.gz"
"""The first 2,000 lines of the cs daily listings: slices take their first N."""
LISTINGS_LINES = 2000
FORMATS = FIXTURES / "formats"
SNAPSHOT = FORMATS / "arxiv-snapshot" / "arxiv-metadata-oai-snapshot.first200.jsonl"
GITHUB = FIXTURES / "github"
