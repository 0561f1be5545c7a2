"""PostgreSQL's newest-first keyword reads by blocks of ids
(``backends.postgres.newest_rows``): the same rows as a plain read of the newest
matches, for words of every share and however many reads it takes, while reading far
fewer rows than a walk down the primary key for a word in a few percent of the papers.
The module's papers get blocks of 8 ids, so a few hundred papers make many blocks."""

from __future__ import annotations

import datetime
import importlib

import pytest
from django.db import connection

from paperfeed.search import keyword
from paperfeed.search.backends import postgres
from tests.support.lexemes import marked_lexemes

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's keyword rows"),
]


def match(word: str) -> postgres.Match:
    return "to_tsquery('english', %s)", [word]


def plain_newest(word: str, want: int) -> list[int]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT paper_id FROM search_paperfts WHERE document @@ to_tsquery('english', %s)"
            " ORDER BY paper_id DESC LIMIT %s",
            [word, want],
        )
        return [row[0] for row in cursor.fetchall()]


def fetched() -> int:
    """Keyword rows fetched so far in this transaction."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT COALESCE(idx_tup_fetch, 0) + COALESCE(seq_tup_read, 0)"
            " FROM pg_stat_xact_user_tables WHERE relname = 'search_paperfts'"
        )
        row = cursor.fetchone()
        return int(row[0]) if row else 0


@pytest.fixture
def small_blocks(corpus, monkeypatch):
    """The corpus's keyword rows rewritten with blocks of 8 ids, and analysed."""
    monkeypatch.setattr(postgres, "BLOCK_BITS", 3)
    postgres.estimates.clear()
    keyword.index_keyword(corpus.values())
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE search_paperfts")
        cursor.execute("SELECT COUNT(*) FROM search_paperfts")
        total = cursor.fetchone()[0]
    yield total
    postgres.estimates.clear()


def share_of(word: str, total: int) -> float:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT COUNT(*) FROM search_paperfts WHERE document @@ to_tsquery('english', %s)",
            [word],
        )
        return cursor.fetchone()[0] / total


def words_by_share(total: int) -> dict[str, float]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT word, ndoc FROM ts_stat('SELECT document FROM search_paperfts')"
            " WHERE word ~ '^[a-z]{4,}$' ORDER BY ndoc DESC, word"
        )
        return {word: n / total for word, n in cursor.fetchall()}


def test_newest_rows_are_those_of_a_plain_read(small_blocks):
    shares = words_by_share(small_blocks)
    common = [w for w, s in shares.items() if s >= postgres.COMMON_SHARE][:2]
    middle = [w for w, s in shares.items() if 0.03 <= s <= 0.12][:6]
    rare = [w for w, s in shares.items() if 0.005 < s < 0.02][:2]
    assert common and len(middle) == 6 and rare
    for word in [*common, *middle, *rare]:
        for want in (1, 3, 7, 20):
            assert [r[0] for r in postgres.newest_rows(match(word), want)] == plain_newest(
                word, want
            ), (word, want)


def test_a_wrong_estimate_takes_more_reads_and_finds_the_same(small_blocks, monkeypatch):
    """Estimates too high (the first blocks hold too few) or too low (the blocks read
    spill over into a whole read): the rows are the same."""
    shares = words_by_share(small_blocks)
    middle = [w for w, s in shares.items() if 0.03 <= s <= 0.07][:4]
    reads: list[str] = []

    def record(execute, sql, params, many, context):  # type: ignore[no-untyped-def]
        if "FROM search_paperfts d WHERE" in sql:
            reads.append(sql)
        return execute(sql, params, many, context)

    for factor in (3.0, 0.25):
        monkeypatch.setattr(
            postgres,
            "estimated_rows",
            lambda m, f=factor: (f * share_of(m[1][0], small_blocks) * small_blocks, small_blocks),
        )
        for word in middle:
            reads.clear()
            with connection.execute_wrapper(record):
                got = [r[0] for r in postgres.newest_rows(match(word), 5)]
            assert got == plain_newest(word, 5), (word, factor)
            if factor > 1:
                # more blocks read after the first were short, as many as they showed
                assert 1 < len(reads) <= 3


def test_a_filtered_read_ranks_the_walks_matches_passing_the_filter(small_blocks):
    """A date filter is tested on the papers: the newest FILTERED_WALK windows of
    matches are read (by blocks), and the newest window of those passing is ranked."""
    from paperfeed.catalogue.models import Paper
    from paperfeed.search.backends.base import FILTERED_WALK
    from paperfeed.search.filters import Filters
    from paperfeed.search.query import parse_query

    shares = words_by_share(small_blocks)
    for word in [w for w, s in shares.items() if 0.03 <= s <= 0.12][:3]:
        window = 3
        walked = plain_newest(word, FILTERED_WALK * window)  # newest first
        day = Paper.objects.get(id=walked[-1]).announced
        Paper.objects.filter(id__in=walked).update(announced=day)
        # The newest half of the walk falls outside the filter.
        later = day + datetime.timedelta(days=1)
        Paper.objects.filter(id__in=walked[: len(walked) // 2]).update(announced=later)
        filters = Filters(date_from=day, date_to=day)
        members = set(Paper.objects.filter(announced=day).values_list("id", flat=True))
        passing = [pk for pk in walked if pk in members][:window]
        ranker = postgres.TsvectorRanker(parse_query(word), filters)
        ranker.scored = (0,)
        found = ranker.rank(ranker.any_of([0]), 50, 0, newest=window)
        assert len(passing) == window and sorted(pk for pk, _ in found) == sorted(passing), word
        assert [s for _, s in found] == sorted((s for _, s in found), reverse=True)


def test_scores_are_ts_rank_against_the_scoring_query(small_blocks):
    shares = words_by_share(small_blocks)
    word = next(w for w, s in shares.items() if 0.03 <= s <= 0.12)
    rows = postgres.newest_rows(match(word), 4, score=match(word))
    with connection.cursor() as cursor:
        for pk, score in rows:
            cursor.execute(
                "SELECT ts_rank(document, to_tsquery('english', %s)) FROM search_paperfts"
                " WHERE paper_id = %s",
                [word, pk],
            )
            assert score == pytest.approx(cursor.fetchone()[0])


def test_a_word_in_a_few_percent_reads_few_rows(small_blocks):
    """A walk down the primary key reads about window / share rows, a read of every
    match share x papers; the blocks read about the window. The rows are copied ten
    times over first (under new ids, as the benchmarks grow the corpus), so that
    these differ, and indexes are taken, as they are at any size worth it."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT MIN(paper_id), MAX(paper_id) FROM search_paperfts")
        low, top = cursor.fetchone()
        width = top - low + 1
        cursor.execute(
            "INSERT INTO search_paperfts (paper_id, document)"
            " SELECT d.paper_id + k * %s, ts_delete(d.document, ARRAY("
            "  SELECT u.lexeme FROM unnest(d.document) u WHERE u.lexeme LIKE '@%%'))"
            "  || array_to_tsvector(ARRAY['@' || ((d.paper_id + k * %s) >> 3)])"
            " FROM search_paperfts d, generate_series(1, 10) k",
            [width, width],
        )
        cursor.execute("ANALYZE search_paperfts")
        cursor.execute("SET LOCAL enable_seqscan = off")
    total = small_blocks * 11
    postgres.estimates.clear()
    shares = words_by_share(total)
    word, share = next((w, s) for w, s in shares.items() if 0.03 <= s <= 0.06)
    want = 5
    before = fetched()
    rows = postgres.newest_rows(match(word), want)
    by_blocks = fetched() - before
    assert [r[0] for r in rows] == plain_newest(word, want)
    walked = {}
    for path in ("bitmapscan", "indexscan"):  # turn one off, the other is taken
        with connection.cursor() as cursor:
            cursor.execute(f"SET LOCAL enable_{path} = off")
            before = fetched()
            plain_newest(word, want)
            walked[path] = fetched() - before
            cursor.execute(f"SET LOCAL enable_{path} = on")
    assert walked["bitmapscan"] >= want / share * 0.5  # the walk
    assert walked["indexscan"] >= share * total * 0.9  # every match
    assert by_blocks <= 4 * want < min(walked.values())


def block_lexemes(pk: int) -> list[str]:
    return marked_lexemes(pk, "@")


def test_the_migration_gives_older_rows_their_block(corpus):
    pk = max(corpus.values())
    assert block_lexemes(pk) == [f"@{pk >> postgres.BLOCK_BITS}"]
    with connection.cursor() as cursor:  # rows as written before blocks were kept
        cursor.execute(
            "UPDATE search_paperfts d SET document = ts_delete(d.document, ARRAY("
            " SELECT u.lexeme FROM unnest(d.document) u WHERE u.lexeme LIKE '@%%'))"
        )
    assert block_lexemes(pk) == []
    migration = importlib.import_module("paperfeed.search.migrations.0006_block_terms")
    assert migration.BLOCK_BITS == postgres.BLOCK_BITS
    for _ in range(2):  # running it again changes nothing
        with connection.schema_editor() as editor:
            migration.add_blocks(None, editor)
        assert block_lexemes(pk) == [f"@{pk >> postgres.BLOCK_BITS}"]


def test_a_gap_in_the_ids_is_stepped_over_not_read_whole(small_blocks, monkeypatch):
    """Copies of the rows far apart, as the grown benchmark catalogue's are (10^8 ids
    apart) and as a deleted range of papers leaves them: a read that reaches a gap goes
    on from the newest id below it, so a window spanning copies is read by blocks
    (reading on from the gap's top, it met empty blocks and read the rest whole). Blocks
    of 32 ids here, so that, as at a million papers, a copy is a few blocks and a
    window a few blocks' matches."""
    monkeypatch.setattr(postgres, "BLOCK_BITS", 5)
    blocks = (
        "ts_delete(document, ARRAY(SELECT u.lexeme FROM unnest(document) u"
        " WHERE u.lexeme LIKE '@%%')) || array_to_tsvector(ARRAY['@' || ({id} >> 5)])"
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT MIN(paper_id), MAX(paper_id) FROM search_paperfts")
        low, top = cursor.fetchone()
        gap = 100 * (top - low + 1)  # hundreds of empty blocks between copies
        # the newest copy 48 rows only, as the grown catalogue's last one is partial
        cursor.execute(
            "SELECT paper_id FROM search_paperfts ORDER BY paper_id DESC OFFSET 48 LIMIT 1"
        )
        (cut,) = cursor.fetchone()
        cursor.execute(f"UPDATE search_paperfts SET document = {blocks.format(id='paper_id')}")
        cursor.execute(
            "INSERT INTO search_paperfts (paper_id, document) SELECT paper_id + k * %s,"
            f" {blocks.format(id='(paper_id + k * %s)')}"
            " FROM search_paperfts, generate_series(1, 3) k WHERE k < 3 OR paper_id > %s",
            [gap, gap, cut],
        )
        cursor.execute("ANALYZE search_paperfts")
    postgres.estimates.clear()
    shares = words_by_share(small_blocks * 3)
    words = [w for w, s in shares.items() if 0.06 <= s <= 0.12][:4]
    assert len(words) == 4
    reads: list[str] = []

    def record(execute, sql, params, many, context):  # type: ignore[no-untyped-def]
        if "FROM search_paperfts d WHERE" in sql:
            reads.append(sql)
        return execute(sql, params, many, context)

    crossed = 0
    for word in words:
        for want in (6, 8):  # mostly more than the newest copy's six blocks hold
            reads.clear()
            with connection.execute_wrapper(record):
                got = [r[0] for r in postgres.newest_rows(match(word), want)]
            assert got == plain_newest(word, want), (word, want)
            assert reads and not any("d.paper_id <=" in sql for sql in reads), (word, want)
            crossed += any(pk <= top + 2 * gap for pk in got)
    assert crossed >= 4  # most of these windows went on into the copy below the gap
