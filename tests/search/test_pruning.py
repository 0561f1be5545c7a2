"""Keyword pruning: a bounded number of rows ranked, chosen by word rarity, with the
same scores as the plain OR of all words (paperfeed.search.pruning).

The budget is set small so the 300-paper corpus has both rare and common words; the
reference is the same search with pruning off (budget 0), on the same database.
"""

from __future__ import annotations

import pytest
from django.conf import settings as django_settings
from django.db import connection

from paperfeed.search import pruning
from paperfeed.search.backends import backend
from paperfeed.search.filters import Filters
from paperfeed.search.keyword import keyword_search

pytestmark = pytest.mark.django_db

BUDGET = 25


@pytest.fixture
def budget(settings):
    def use(rows: int) -> None:
        """Rank ``rows`` rows (the setting is divided by the database's row cost)."""
        settings.PAPERFEED_KEYWORD_ROW_BUDGET = rows * backend().row_cost
        pruning.counts.clear()

    if connection.vendor == "postgresql":  # counts are the planner's estimates there
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE search_paperfts")

    use(BUDGET)
    yield use
    pruning.counts.clear()


def unpruned(budget, query: str, filters: Filters | None = None) -> dict[int, float]:
    """The plain OR ranking, every matching paper; the budget is restored after."""
    saved = django_settings.PAPERFEED_KEYWORD_ROW_BUDGET // backend().row_cost
    budget(0)
    try:
        return dict(keyword_search(query, filters, limit=1000))
    finally:
        budget(saved)


def holding(budget, word: str) -> set[int]:
    return set(unpruned(budget, word))


def test_plan_splits_terms_by_their_document_counts():
    sizes = {"rare": 3, "odd": 10, "common": 500, "everywhere": 900}

    def count(term: str, cap: int) -> int:
        return min(sizes[term], cap)

    # budget 20 rows: rare + odd (13) are rare; 30 postings a row: 600 postings,
    # so "common" is scored (513) and "everywhere" left out (1,413)
    split = pruning.plan(["common", "rare", "odd", "everywhere"], count, budget=20)
    assert split == pruning.Plan(
        pruning.SPLIT, scored=(0, 1, 2), rare=(1, 2), common=(0,), window=20
    )
    assert pruning.plan(["rare", "odd"], count, budget=20) == pruning.Plan(
        pruning.FULL, scored=(0, 1)
    )
    newest = pruning.plan(["common", "everywhere"], count, budget=20)
    assert newest == pruning.Plan(pruning.NEWEST, scored=(0,), window=20)
    # the rarest word is always scored, however common
    assert pruning.plan(["everywhere"], count, budget=20).scored == (0,)
    assert pruning.plan(["common", "everywhere"], count, budget=0).kind == pruning.FULL
    # rarest first, while the sum fits: 3 + 10 > 12, so only "rare"
    assert pruning.plan(["odd", "rare", "common"], count, budget=12).rare == (1,)


def test_counts_are_capped_and_remembered():
    calls = []

    def count(term: str, cap: int) -> int:
        calls.append((term, cap))
        return cap

    pruning.counts.clear()
    for _ in range(3):
        pruning.plan(["a", "b"], count, budget=50, scope="test")
    cap = 50 * pruning.POSTINGS_PER_ROW + 1
    assert calls == [("a", cap), ("b", cap)]
    pruning.counts.clear()


def test_merge_keeps_each_papers_higher_score():
    merged = pruning.merge([(1, 5.0), (2, 1.0)], [(2, 4.0), (3, 3.0), (1, 2.0)], want=3)
    assert merged == [(1, 5.0), (2, 4.0), (3, 3.0)]


def rare_and_common(corpus, budget):
    """A word held by a few papers and one held by more than the budget."""
    from paperfeed.catalogue.models import Paper

    common = "model"
    assert len(holding(budget, common)) > BUDGET
    for title in Paper.objects.filter(id__in=corpus.values()).values_list("title", flat=True):
        for word in title.lower().split():
            if word.isalpha() and len(word) > 6 and 1 < len(holding(budget, word)) <= 5:
                return word, common
    raise AssertionError("no rare word in the corpus titles")


def test_split_ranks_exactly_the_papers_holding_a_rare_word(corpus, budget):
    rare, common = rare_and_common(corpus, budget)
    query = f"{common} {rare}"
    reference = unpruned(budget, query)
    with_rare = holding(budget, rare)
    expected = sorted(
        ((pk, s) for pk, s in reference.items() if pk in with_rare), key=lambda kv: (-kv[1], kv[0])
    )
    found = keyword_search(query, limit=len(with_rare))
    assert [pk for pk, _ in found] == [pk for pk, _ in expected]
    for pk, score in found:  # exact OR scores, not the rare words' share
        assert score == pytest.approx(reference[pk], rel=1e-9)
    # a paper holding only the common word is not among them...
    assert not set(dict(found)) - with_rare
    assert len(reference) > len(with_rare)


def test_a_short_page_is_topped_up_with_the_newest_matches(corpus, budget):
    rare, common = rare_and_common(corpus, budget)
    query = f"{common} {rare}"
    reference = unpruned(budget, query)
    found = keyword_search(query, limit=15)
    assert len(found) == 15  # more than the papers holding the rare word
    assert set(holding(budget, rare)) <= set(dict(found))
    for pk, score in found:
        assert score == pytest.approx(reference[pk], rel=1e-9)


def test_every_word_common_ranks_the_newest_papers_holding_one(corpus, budget):
    first, second = "model", "language"
    sizes = len(holding(budget, first)), len(holding(budget, second))
    window = -(-sum(sizes) // pruning.POSTINGS_PER_ROW)  # both words scored...
    assert window < min(sizes)  # ...and neither rare
    query = f"{first} {second}"
    reference = unpruned(budget, query)
    budget(window)
    found = keyword_search(query, limit=4)
    newest = sorted(reference)[-window:]
    expected = sorted(newest, key=lambda pk: (-reference[pk], pk))[:4]
    assert [pk for pk, _ in found] == expected
    for pk, score in found:
        assert score == pytest.approx(reference[pk], rel=1e-9)


def test_pruned_search_keeps_filters_and_paging(corpus, budget):
    from paperfeed.catalogue.models import Paper

    rare, common = rare_and_common(corpus, budget)
    query = f"{common} {rare}"
    category = Paper.objects.get(id=max(holding(budget, rare))).primary_category_id
    filters = Filters((category,))
    in_category = set(Paper.objects.filter(categories__code=category).values_list("id", flat=True))
    found = keyword_search(query, filters, limit=10)
    assert found and set(dict(found)) <= in_category
    pages = keyword_search(query, limit=4) + keyword_search(query, limit=4, offset=4)
    assert pages == keyword_search(query, limit=8)


def test_very_common_words_are_left_out_of_the_ranking_on_sqlite(corpus, budget):
    from paperfeed.catalogue.models import Paper

    budget(1)  # 1 row for rare words, 30 postings for scored ones
    assert len(holding(budget, "model")) > pruning.POSTINGS_PER_ROW
    titles = Paper.objects.filter(id__in=corpus.values()).values_list("title", flat=True)
    words = (w for t in titles for w in t.lower().split() if w.isalpha() and len(w) > 5)
    word = next(w for w in words if len(holding(budget, w)) == 1 and "model" not in w)
    (only,) = holding(budget, word)
    found = keyword_search(f"model {word}", limit=10)
    if connection.vendor == "sqlite":  # bm25 would read "model"'s whole list: left out
        assert found == [(only, pytest.approx(unpruned(budget, word)[only], rel=1e-9))]
        return
    # ts_rank reads no lists: "model" is scored. (Counts are the planner's estimates,
    # which do not tell 1 paper from 2: a budget of 5 rows.)
    budget(5)
    found = keyword_search(f"model {word}", limit=10)
    assert found[0] == (only, pytest.approx(unpruned(budget, f"model {word}")[only]))
    newest = sorted(holding(budget, "model") | {only})[-5:]  # the top-up's window
    assert set(dict(found)) == {only, *newest}


def test_pruning_off_is_the_plain_or(corpus, budget):
    budget(0)
    query = "model language graph"
    assert keyword_search(query, limit=50) == list(unpruned(budget, query).items())[:50]


def test_a_filtered_newest_read_walks_a_bounded_number_of_matches(corpus, budget):
    """A filter tested on each paper (any filter on SQLite; a date window on
    PostgreSQL, whose keyword rows hold the categories) looks at the newest
    FILTERED_WALK windows of matches and ranks those passing."""
    from paperfeed.catalogue.models import Paper
    from paperfeed.search.keyword import FILTERED_WALK

    first, second = "model", "language"
    sizes = len(holding(budget, first)), len(holding(budget, second))
    window = -(-sum(sizes) // pruning.POSTINGS_PER_ROW)
    query = f"{first} {second}"
    reference = unpruned(budget, query)
    walked = sorted(reference)[-FILTERED_WALK * window :]
    assert len(walked) < len(reference)  # some matches lie beyond the walk
    oldest = Paper.objects.get(id=walked[0])
    if connection.vendor == "postgresql":
        filters = Filters(date_from=oldest.announced, date_to=oldest.announced)
    else:
        filters = Filters((oldest.primary_category_id,))
    members = set(filters.paper_ids().array.tolist())
    budget(window)
    found = keyword_search(query, filters, limit=50)
    passing = [pk for pk in reversed(walked) if pk in members][:window]  # newest first
    expected = sorted(passing, key=lambda pk: (-reference[pk], pk))
    assert [pk for pk, _ in found] == expected[:50]
    beyond = [pk for pk in reference if pk in members and pk not in walked]
    assert beyond and not set(dict(found)) & set(beyond)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="categories in keyword rows")
def test_a_category_is_matched_inside_the_keyword_index(corpus, budget):
    """On PostgreSQL a category filter is part of the match: a newest read ranks the
    newest matches within the category, however far back they lie among all the
    matches, with no per-row test of the paper's categories."""
    from paperfeed.catalogue.models import Paper
    from paperfeed.search.keyword import FILTERED_WALK

    query = "model language"
    reference = unpruned(budget, query)
    window = 3
    walked = set(sorted(reference)[-FILTERED_WALK * window :])
    # A category with matches, most of them beyond a walk of the newest matches.
    codes = Paper.categories.through.objects.filter(paper_id__in=reference).values_list(
        "category_id", flat=True
    )
    members_of = {
        code: set(Filters((code,)).paper_ids().array.tolist()) & set(reference)
        for code in set(codes)
    }
    code = max(members_of, key=lambda c: (len(members_of[c] - walked), c))
    inside = members_of[code]
    assert len(inside - walked) > window
    budget(window)
    sent: list[tuple[str, list]] = []

    def record(execute, sql, params, many, context):
        sent.append((sql, list(params or [])))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        found = keyword_search(query, Filters((code,)), limit=50)
    newest = sorted(inside, reverse=True)[:window]
    assert [pk for pk, _ in found] == sorted(newest, key=lambda pk: (-reference[pk], pk))
    ranked = [(sql, params) for sql, params in sent if "ts_rank" in sql]
    assert ranked and all("catalogue_paper_categories" not in sql for sql, _ in ranked)
    assert all(f"'#{code}'" in params for _, params in ranked)


def test_without_idf_reads_every_word_is_scored():
    sizes = {"rare": 3, "common": 500, "everywhere": 900}

    def count(term: str, cap: int) -> int:
        assert cap == 21  # counting stops at the row budget
        return min(sizes[term], cap)

    pruning.counts.clear()
    chosen = pruning.plan(["everywhere", "rare", "common"], count, 20, postings_per_row=None)
    assert chosen == pruning.Plan(
        pruning.SPLIT, scored=(0, 1, 2), rare=(1,), common=(0, 2), window=20
    )
    pruning.counts.clear()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's counts")
def test_postgres_counts_the_words_its_planner_only_guesses(corpus, budget):
    """The planner's estimate for a word outside its most-common list is a guess (over
    a thousand rows at a million papers, for words in a dozen): such words are counted,
    up to the cap; a word it estimates far above the cap is taken as common unread."""
    from paperfeed.search.keyword import parse_query

    ranker = backend().ranker(parse_query("robot zzzunseenword"), Filters())
    robot, unseen = ranker.terms
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT COUNT(*) FROM search_paperfts WHERE document @@ to_tsquery('english', 'robot')"
        )
        (exact,) = cursor.fetchone()
    assert exact > 2
    sent: list[str] = []

    def record(execute, sql, params, many, context):  # type: ignore[no-untyped-def]
        sent.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        assert ranker.count(robot, 10**6) == exact  # estimate below 10 x cap: counted
        assert ranker.count(unseen, 10**6) == 0
        assert ranker.count(robot, exact - 1) == exact - 1  # stops at the cap
        counted = sum("COUNT(*)" in sql for sql in sent)
        assert ranker.count(robot, 0) == 0  # estimated far above the cap: not counted
    assert counted == 3 and sum("COUNT(*)" in sql for sql in sent) == 3
