"""The suite reads only what the repository holds: a clone with nothing beside it runs
every test."""

import gzip
import re
from pathlib import Path

from tests.support.paths import FIXTURES, LISTINGS, LISTINGS_LINES

TESTS = Path(__file__).resolve().parent


def test_no_test_reads_the_shared_data_folder():
    outside = re.compile(r"""["'/]shared["'/]|\.\./|parents\[[3-9]\]""")
    offenders = [
        f"{path.relative_to(TESTS)}:{number}"
        for path in TESTS.rglob("*.py")
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if outside.search(line) and "../etc" not in line
    ]
    assert offenders == []


def test_the_listings_slice_holds_what_the_slices_take():
    with gzip.open(LISTINGS, "rt", encoding="utf-8") as lines:
        assert sum(1 for _ in lines) == LISTINGS_LINES


def test_fixtures_stay_small():
    total = sum(path.stat().st_size for path in FIXTURES.rglob("*") if path.is_file())
    assert total < 5_000_000
