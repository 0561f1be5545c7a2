"""Ranking papers for one profile: candidates, the model's score, author and category
boosts, and the reasons that say which of them moved each paper.

Candidates are every paper of a date window when it is small (a day or a week is
scored exactly), otherwise the nearest neighbours of the model's query vectors through
search's vector index (exact, hnswlib or pgvector), plus papers by the authors the
reader follows or liked.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
from django.db import connection
from threadpoolctl import ThreadpoolController

from paperfeed.batches import slices
from paperfeed.catalogue.models import Author, Authorship, Paper
from paperfeed.catalogue.version import database_key, recent_catalogue_version
from paperfeed.community.state import visible_filter
from paperfeed.memo import Lru
from paperfeed.recommend.model import ModelParams, ReaderModel, fit, seed_for
from paperfeed.recommend.profile import VERBS, Profile, profile_for
from paperfeed.search.embeddings import DIMENSIONS, MODEL_NAME
from paperfeed.search.filters import Filters
from paperfeed.search.models import PaperEmbedding
from paperfeed.search.vectors import (
    HNSW_EF_SIMILAR,
    TableState,
    filter_vectors,
    load_vectors,
    vector_search,
)

# Chosen by benchmarks/recommend.py (README, "Recommendations").
PARAMS = ModelParams()
# Up to this many papers in a date window are all scored; beyond, the ANN index picks.
WINDOW_EXACT = 20_000
ANN_CANDIDATES = 200  # per query vector
AUTHOR_CANDIDATES = 200  # newest papers by followed or liked authors


@dataclass
class Recommendation:
    paper_id: int
    arxiv_id: str
    title: str
    score: float
    reasons: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, object]:
        return {
            "id": self.arxiv_id,
            "score": round(float(self.score), 4),
            "reason": "; ".join(self.reasons),
        }


def recommend(
    profile: Profile,
    since: dt.date | None = None,
    until: dt.date | None = None,
    limit: int = 20,
    exclude: set[int] | frozenset[int] = frozenset(),
    params: ModelParams | None = None,
) -> list[Recommendation]:
    """The best ``limit`` papers for ``profile`` announced within [since, until] (the
    whole catalogue without them), never one the reader liked, disliked or that a
    curator hid, nor any in ``exclude``."""
    if profile.empty or limit <= 0:
        return []
    filters = Filters(date_from=since, date_to=until)
    with _blas().limit(limits=1, user_api="blas"):  # tiny products: threads only contend
        reader = reader_for(profile, params)
        model = reader.model
        authored = _authored(profile, reader, filters)
        ids = _candidates(profile, model, filters, authored)
        banned = banned_of(profile, exclude)
        ids = [pk for pk in ids if pk not in banned]
        if not ids:
            return []
        window = _is_window(filters)
        # A window's vectors are the same for every reader: kept per process.
        found, X = filter_vectors(filters) if window else load_vectors(ids)
        scored = model.score(X) if len(found) else None
    scores = np.zeros(len(ids), dtype=np.float32)
    vector_rows = rows_of(found, ids)
    if scored is not None:
        has = vector_rows >= 0
        scores[has] = scored.total[vector_rows[has]]
        if len(profile.positive):
            # A paper without a vector yet ranks below those the model has seen.
            scores[~has] = float(scored.total.min()) if len(scored.total) else 0.0
    boosts = _boosts(profile, ids, model.params, authored, reader, filters if window else None)
    scores = scores + boosts.total
    order = _top_visible(ids, np.lexsort((np.array(ids), -scores)), limit)
    chosen = [ids[i] for i in order]
    titles = dict(
        Paper.objects.filter(id__in=chosen + list(profile.positive)).values_list("id", "title")
    )
    arxiv = dict(Paper.objects.filter(id__in=chosen).values_list("id", "arxiv_id"))
    positives = model.positive_ids  # the liked papers the model has vectors for
    results = []
    for i in order:
        pk = ids[i]
        reasons = []
        if scored is not None and vector_rows[i] >= 0 and positives:
            reasons.extend(_liked_reasons(profile, positives, scored, vector_rows[i], titles))
        reasons.extend(boosts.reasons(i))
        results.append(Recommendation(pk, arxiv[pk], titles[pk], float(scores[i]), reasons))
    return results


@dataclass(frozen=True, slots=True)
class Fit:
    """How well one given paper fits a reader: the recommender's score (higher is
    better) and why, in words ("" when nothing the reader did explains it)."""

    score: float
    reason: str = ""


def fit_of(user, paper_ids: list[int]) -> dict[int, Fit]:
    """The reader's fit of each of these papers (a day's feed, a few hundred), scored
    exactly by the same model and boosts as :func:`recommend`, so a page can order
    them for this reader. Empty for a reader without signals or follows. Papers the
    reader marked "not interested" score below every other."""
    profile = profile_for(user)
    if profile.empty or not paper_ids:
        return {}
    ids = list(dict.fromkeys(paper_ids))
    with _blas().limit(limits=1, user_api="blas"):
        reader = reader_for(profile)
        model = reader.model
        found, X = load_vectors(ids)
        scored = model.score(X) if len(found) and len(model.positives) else None
    vector_rows = rows_of(found, ids)
    authored = _authored(profile, reader, Filters(), among=ids)
    boosts = _boosts(profile, ids, model.params, authored, reader)
    titles = dict(Paper.objects.filter(id__in=list(profile.positive)).values_list("id", "title"))
    floor = float(scored.total.min()) if scored is not None and len(scored.total) else 0.0
    fits: dict[int, Fit] = {}
    for i, pk in enumerate(ids):
        row = int(vector_rows[i])
        reasons = []
        score = floor
        if scored is not None and row >= 0:
            score = float(scored.total[row])
            reasons.extend(_liked_reasons(profile, model.positive_ids, scored, row, titles))
        reasons.extend(boosts.reasons(i))
        fits[pk] = Fit(score + float(boosts.total[i]), "; ".join(reasons))
    lowest = min((f.score for f in fits.values()), default=0.0) - 1.0
    for pk in set(profile.negative) & set(fits):
        fits[pk] = Fit(lowest, "")
    return fits


@lru_cache(maxsize=1)
def _blas() -> ThreadpoolController:
    """Inspected once per process (inspecting the loaded libraries takes tens of ms)."""
    return ThreadpoolController()


def banned_of(profile: Profile, exclude: set[int] | frozenset[int]) -> set[int]:
    return profile.seen | set(exclude)


def _top_visible(ids: list[int], ranked: np.ndarray, limit: int) -> list[int]:
    """The first ``limit`` positions of ``ranked`` whose papers a curator did not hide,
    checked a few at a time from the top (hidden papers are rare)."""
    chosen: list[int] = []
    start = 0
    while len(chosen) < limit and start < len(ranked):
        batch = ranked[start : start + 2 * limit + 10].tolist()
        start += len(batch)
        hidden = _hidden([ids[i] for i in batch])
        chosen.extend(i for i in batch if ids[i] not in hidden)
    return chosen[:limit]


def reader_model(profile: Profile, params: ModelParams | None = None) -> ReaderModel:
    """Fit the profile's model (a few ms: a logistic regression over at most a few
    hundred vectors), with seeded random catalogue papers as extra negatives."""
    params = params or PARAMS
    positive_ids = list(profile.positive)
    found, P = load_vectors(positive_ids)
    order = {pk: i for i, pk in enumerate(found.tolist())}
    P = np.vstack([P[order[pk]] for pk in positive_ids if pk in order]) if len(found) else P
    _, N = load_vectors(profile.negative) if profile.negative else (None, _empty())
    seen = set(positive_ids) | set(profile.negative)
    R = random_vectors(params.random_negatives, seed_for(sorted(seen)), exclude=seen)
    model = fit(P, N, R, params)
    model.positive_ids = [pk for pk in positive_ids if pk in order]
    return model


@dataclass
class Reader:
    """What ranking needs that only the reader's marked papers (and the catalogue)
    decide: the fitted model, how many liked papers each author wrote, and the marked
    papers' primary categories."""

    model: ReaderModel
    liked_authors: dict[int, int]
    marked_primary: dict[int, str]


# Readers by database, marked papers and parameters, stamped with the catalogue
# version and the vector table's state: a signal changes the profile and so the key,
# so a model is refitted when, and only when, something the reader said changes (or
# papers or vectors are written); switching between today, this week and all time,
# ordering the daily feed by fit and the digest reuse it. Two readers who marked
# exactly the same papers share one entry, which is what either would get.
ReaderKey = tuple[str, tuple[int, ...], tuple[int, ...], ModelParams]
_readers: Lru[ReaderKey, tuple[str, TableState], Reader] = Lru(256)


def reader_for(profile: Profile, params: ModelParams | None = None) -> Reader:
    """The profile's :class:`Reader`, built once per profile and catalogue state per
    process (the model's fit is the part measured as a rebuild)."""
    params = params or PARAMS
    key = (database_key(), tuple(profile.positive), tuple(profile.negative), params)

    def fit() -> Reader:
        marked = list(profile.positive) + list(profile.negative)
        primary = Paper.objects.filter(id__in=marked, primary_category_id__isnull=False)
        return Reader(
            reader_model(profile, params),
            _authors_of(list(profile.positive)) if profile.positive else {},
            dict(primary.values_list("id", "primary_category_id")),
        )

    return _readers.current(key, (recent_catalogue_version(), TableState.read()), fit)


def forget_readers() -> None:
    _readers.clear()


def rows_of(found: np.ndarray, ids: list[int]) -> np.ndarray:
    """For each of ``ids``, its row in ``found`` (-1 when it has no vector)."""
    if not len(found):
        return np.full(len(ids), -1, dtype=np.int64)
    order = np.argsort(found, kind="stable")
    ordered = found[order]
    wanted = np.asarray(ids, dtype=np.int64)
    at = np.clip(np.searchsorted(ordered, wanted), 0, len(ordered) - 1)
    return np.where(ordered[at] == wanted, order[at], -1)


def _is_window(filters: Filters) -> bool:
    """A date window small enough that all its papers are the candidates."""
    return not filters.empty and len(filters.paper_ids()) <= WINDOW_EXACT


def _empty() -> np.ndarray:
    return np.zeros((0, DIMENSIONS), dtype=np.float32)


def _candidates(
    profile: Profile, model: ReaderModel, filters: Filters, authored: Authored
) -> list[int]:
    ids: dict[int, None] = {}
    window = None if filters.empty else filters.paper_ids()
    if window is not None and len(window) <= WINDOW_EXACT:  # as _is_window
        return window.array.tolist()
    if len(model.positives):
        banned = profile.seen
        for query in model.query_vectors():
            found = vector_search(
                query,
                limit=ANN_CANDIDATES,
                filters=filters,
                exclude=banned,
                ef=max(HNSW_EF_SIMILAR, ANN_CANDIDATES),
            )
            ids.update(dict.fromkeys(pk for pk, _ in found))
    ids.update(dict.fromkeys(authored.newest))
    if not ids and profile.categories and window is None:
        # Follows alone, no window: the newest papers of the followed categories.
        newest = Paper.objects.filter(categories__in=profile.categories).order_by("-announced")
        ids.update(dict.fromkeys(newest.values_list("id", flat=True)[:ANN_CANDIDATES]))
    return list(ids)


def _hidden(ids: list[int]) -> set[int]:
    """Of these papers, those a curator hid (community's per-paper state)."""
    visible = Paper.objects.filter(visible_filter(), id__in=ids).values_list("id", flat=True)
    return set(ids) - set(visible)


@dataclass
class Authored:
    """The papers of the authors the reader follows or liked (newest first, at most
    ``AUTHOR_CANDIDATES``), with who wrote each: read once from the authors' side (a
    few hundred rows) rather than once per candidate paper."""

    liked: dict[int, int] = field(default_factory=dict)  # author -> liked papers they wrote
    by_paper: dict[int, list[tuple[int, str]]] = field(default_factory=dict)
    newest: list[int] = field(default_factory=list)


def _authored(
    profile: Profile, reader: Reader, filters: Filters, among: list[int] | None = None
) -> Authored:
    liked = reader.liked_authors
    wanted = set(liked) | set(profile.authors)
    authored = Authored(liked=liked)
    if not wanted:
        return authored
    if among is None and _is_window(filters):
        matched = []
        for paper_id, authors in _window_bylines(filters):
            found = [a for a in authors if a in wanted]
            if found:
                matched.append((paper_id, found))
                if len(matched) == AUTHOR_CANDIDATES:
                    break
        named = {a for _, found in matched for a in found}
        names = dict(Author.objects.filter(id__in=named).values_list("id", "name"))
        for paper_id, found in matched:
            authored.by_paper[paper_id] = [(a, names[a]) for a in found]
            authored.newest.append(paper_id)
        return authored
    rows = Authorship.objects.filter(author_id__in=wanted)
    rows = rows.filter(paper_id__in=among) if among is not None else rows
    rows = rows.filter(paper__announced__gte=filters.date_from) if filters.date_from else rows
    rows = rows.filter(paper__announced__lte=filters.date_to) if filters.date_to else rows
    for paper_id, author_id, name in rows.order_by("-paper_id").values_list(
        "paper_id", "author_id", "author__name"
    )[: AUTHOR_CANDIDATES * 4]:
        if paper_id not in authored.by_paper:
            if len(authored.by_paper) >= AUTHOR_CANDIDATES:
                break
            authored.by_paper[paper_id] = []
            authored.newest.append(paper_id)
        authored.by_paper[paper_id].append((author_id, name))
    return authored


# The bylines of a date window's papers, per database, window and catalogue version:
# every reader ranks the same day or week, so its authors are read once (about 7,000
# rows for a week of 74,728 papers) instead of once per reader from the authors' side
# (up to tens of ms for a reader whose liked authors wrote hundreds of papers).
_bylines_cache: Lru[tuple[str, Filters], str, list[tuple[int, tuple[int, ...]]]] = Lru(8)


def _window_bylines(filters: Filters) -> list[tuple[int, tuple[int, ...]]]:
    """(paper id, its authors' ids in byline order) for the window's papers, newest
    paper first."""
    return _bylines_cache.current(
        (database_key(), filters), recent_catalogue_version(), lambda: _read_bylines(filters)
    )


def _read_bylines(filters: Filters) -> list[tuple[int, tuple[int, ...]]]:
    where, params = filters.sql("p")
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT a.paper_id, a.author_id FROM {Paper._meta.db_table} p"  # noqa: S608
            f" JOIN {Authorship._meta.db_table} a ON a.paper_id = p.id WHERE 1 = 1{where}"
            " ORDER BY a.paper_id DESC, a.position",
            params,
        )
        rows = cursor.fetchall()
    found: list[tuple[int, tuple[int, ...]]] = []
    for paper_id, author_id in rows:
        if found and found[-1][0] == paper_id:
            found[-1] = (paper_id, (*found[-1][1], author_id))
        else:
            found.append((paper_id, (author_id,)))
    return found


def _authors_of(paper_ids: list[int]) -> dict[int, int]:
    """author id -> how many of these papers they wrote."""
    counts: dict[int, int] = defaultdict(int)
    for author_id in Authorship.objects.filter(paper_id__in=paper_ids).values_list(
        "author_id", flat=True
    ):
        counts[author_id] += 1
    return dict(counts)


@dataclass
class Boosts:
    """The author and category parts of the candidates' scores: ``total[i]`` for
    candidate ``i``; reasons kept for the few candidates an author or a followed
    category raised, and one per liked category: a week at a million papers has
    17,000 candidates, 20 of which are shown."""

    total: np.ndarray
    said: dict[int, list[str]] = field(default_factory=dict)
    category: np.ndarray | None = None  # each candidate's liked category, or -1
    category_reasons: dict[int, str] = field(default_factory=dict)

    def add(self, i: int, amount: float, reason: str) -> None:
        self.total[i] += amount
        self.said.setdefault(i, []).append(reason)

    def reasons(self, i: int) -> list[str]:
        found = list(self.said.get(i, ()))
        if self.category is not None and int(self.category[i]) in self.category_reasons:
            found.append(self.category_reasons[int(self.category[i])])
        return found


def _boosts(
    profile: Profile,
    ids: list[int],
    params: ModelParams,
    authored: Authored,
    reader: Reader,
    window: Filters | None = None,
) -> Boosts:
    """Author and category parts of each candidate's score, with their reasons.
    ``window``: the date window all of ``ids`` came from, if they did."""
    boosts = Boosts(np.zeros(len(ids), dtype=np.float32))
    row: dict[int, int] = {}
    if authored.by_paper or profile.categories:
        row = {pk: i for i, pk in enumerate(ids)}
    liked = authored.liked
    for paper_id, found in authored.by_paper.items():
        if paper_id not in row:
            continue
        followed = sorted(name for a, name in found if a in profile.authors)
        shared = sorted(name for a, name in found if a in liked and a not in profile.authors)
        if followed:
            reason = f"by {_names(followed)}, whom you follow"
            boosts.add(row[paper_id], params.followed_author_weight, reason)
        if shared:
            # Weighted by the share of liked papers the author wrote: all of them
            # (an author's reader) counts fully, one paper of twenty barely.
            share = sum(liked[a] for a, _ in found if a in liked and a not in profile.authors)
            amount = params.liked_author_weight * min(1.0, share / len(profile.positive))
            boosts.add(row[paper_id], amount, f"by {_names(shared)}, author of papers you liked")
    if profile.categories:
        per_paper = _followed_categories(profile, ids, window)
        for paper_id, codes in per_paper.items():
            if paper_id in row:
                reason = f"in {_names(sorted(codes))}, which you follow"
                boosts.add(row[paper_id], params.followed_category_weight, reason)
    if params.liked_category_weight and len(profile.positive) >= LIKED_CATEGORY_MIN:
        _liked_category_boosts(profile, ids, params, boosts, reader.marked_primary, window)
    return boosts


def _followed_categories(
    profile: Profile, ids: list[int], window: Filters | None
) -> dict[int, list[str]]:
    """paper id -> the followed categories it is listed in, of these papers: within a
    window from each category's papers there (search's per-filter lists, kept per
    process), otherwise by the papers' ids."""
    per_paper: dict[int, list[str]] = defaultdict(list)
    if window is not None:
        for code in sorted(profile.categories):
            inside = Filters((code,), window.date_from, window.date_to).paper_ids()
            for paper_id in inside.array.tolist():
                per_paper[paper_id].append(code)
        return per_paper
    through = Paper.categories.through.objects.filter(
        paper_id__in=ids, category_id__in=profile.categories
    )
    for paper_id, code in through.values_list("paper_id", "category_id"):
        per_paper[paper_id].append(code)
    return per_paper


# The liked-category part needs this many liked papers: with fewer, a category's share
# says little about the reader.
LIKED_CATEGORY_MIN = 3
# Below this share of the liked papers, the category's part is too small to name.
LIKED_CATEGORY_REASON_SHARE = 0.25


def _liked_category_boosts(
    profile: Profile,
    ids: list[int],
    params: ModelParams,
    boosts: Boosts,
    marked_primary: dict[int, str],
    window: Filters | None = None,
) -> None:
    """A candidate's primary category, weighted by the share of the reader's liked
    papers in it, less the disliked papers in it: the arXiv category is a strong, cheap
    interest signal the vectors only partly carry (a reader of cs.RO papers wants
    cs.RO, not every paper about robots). As with liked authors, a category of all the
    liked papers counts fully, one of twenty barely; "not interested" in a category's
    papers marks that category down."""
    liked: Counter[str] = Counter()
    net: Counter[str] = Counter()
    for paper_id, code in marked_primary.items():
        if code and paper_id in profile.positive:
            liked[code] += 1
            net[code] += 1
        elif code:
            net[code] -= 1
    if not net:
        return
    total = len(profile.positive)
    codes, names = _primary_codes(ids, window)
    weight = np.zeros(len(names) + 1, dtype=np.float32)  # the last: no primary category
    for c, name in enumerate(names):
        if name in net:
            weight[c] = params.liked_category_weight * max(-1.0, min(1.0, net[name] / total))
            if liked[name] / total >= LIKED_CATEGORY_REASON_SHARE and net[name] > 0:
                boosts.category_reasons[c] = _category_reason(profile, name, liked[name], total)
    boosts.total += weight[codes]
    boosts.category = codes


def _category_reason(profile: Profile, code: str, count: int, total: int) -> str:
    """ "in cs.RO, like 14 of the 20 papers you saved": the reader's own verb when every
    liked paper came the same way, "liked" otherwise."""
    share = f"all {total}" if count == total else f"{count} of the {total}"
    verbs = {VERBS[how] for how in profile.positive.values()}
    if profile.user_id is None and verbs == {""}:
        return f"in {code}, like {share} papers readers here liked"
    verb = verbs.pop() if len(verbs) == 1 else "liked"
    verb = verb if verb in ("voted for", "saved", "wrote") else "liked"
    return f"in {code}, like {share} papers you {verb}"


def _names(names: list[str]) -> str:
    if len(names) <= 2:
        return " and ".join(names)
    return f"{names[0]}, {names[1]} and {len(names) - 2} more"


def _liked_reasons(
    profile: Profile, positives: list[int], scored, row: int, titles: dict[int, str]
) -> list[str]:
    """The liked papers whose shares of this paper's score are the largest."""
    top = scored.top_liked(row, most=2)
    cited = [positives[j] for j, share in top if share > 0]
    if not cited:
        return []
    quoted = " and ".join(f"\u201c{titles.get(pk, '?')}\u201d" for pk in cited)
    if profile.user_id is None and set(profile.positive.values()) == {"community"}:
        return [f"like {quoted}, which readers here liked"]
    verbs = {VERBS[profile.positive[pk]] for pk in cited}
    verb = verbs.pop() if len(verbs) == 1 else "liked"
    return [f"like {quoted} that you {verb}"]


def _primary_codes(ids: list[int], window: Filters | None) -> tuple[np.ndarray, list[str]]:
    """Each paper's primary category as an index into the names (``len(names)`` for
    a paper without one): from the window's table when the papers are a window's,
    otherwise read for these papers."""
    table_ids, code_index, names = _window_primaries(window) if window else _primaries(ids)
    if not len(table_ids):
        return np.full(len(ids), len(names), dtype=np.int64), names
    wanted = np.asarray(ids, dtype=np.int64)
    at = np.clip(np.searchsorted(table_ids, wanted), 0, len(table_ids) - 1)
    return np.where(table_ids[at] == wanted, code_index[at], len(names)), names


PrimaryTable = tuple[np.ndarray, np.ndarray, list[str]]  # ids sorted, index into names, names

# A window's primary categories, per database, window and catalogue version: every
# reader ranks the same day or week. (A table of the whole catalogue's, read again at
# each new catalogue version, took 2.5 s at a million papers.)
_primary_cache: Lru[tuple[str, Filters], str, PrimaryTable] = Lru(8)


def _window_primaries(window: Filters) -> PrimaryTable:
    return _primary_cache.current(
        (database_key(), window),
        recent_catalogue_version(),
        lambda: _read_primaries([window.sql("p")]),
    )


def _primaries(ids: list[int]) -> PrimaryTable:
    return _read_primaries(
        [(f" AND p.id IN ({','.join(['%s'] * len(chunk))})", list(chunk)) for chunk in slices(ids)]
    )


def _read_primaries(conditions: list[tuple[str, list]]) -> PrimaryTable:
    rows: list[tuple[int, str]] = []
    with connection.cursor() as cursor:
        for where, params in conditions:
            cursor.execute(
                f"SELECT p.id, p.primary_category_id FROM {Paper._meta.db_table} p"  # noqa: S608
                f" WHERE p.primary_category_id IS NOT NULL{where}",
                params,
            )
            rows.extend(cursor.fetchall())
    rows.sort()
    names = sorted({code for _, code in rows})
    index = {name: i for i, name in enumerate(names)}
    return (
        np.fromiter((pk for pk, _ in rows), dtype=np.int64, count=len(rows)),
        np.fromiter((index[code] for _, code in rows), dtype=np.int32, count=len(rows)),
        names,
    )


# -- random negatives -----------------------------------------------------------------

POOL_SIZE = 3000
POOL_SECONDS = 600.0
_pool_lock = threading.Lock()
_pools: dict[str, tuple[float, np.ndarray, np.ndarray]] = {}


def random_vectors(n: int, seed: int, exclude: set[int] | None = None) -> np.ndarray:
    """``n`` vectors of random catalogue papers (seeded), drawn from a pool of
    ``POOL_SIZE`` kept per process and database for ten minutes: a reader's model
    never waits on a random read of the vector table."""
    if n <= 0:
        return _empty()
    ids, matrix = _pool()
    if exclude:
        keep = ~np.isin(ids, np.fromiter(exclude, dtype=np.int64))
        ids, matrix = ids[keep], matrix[keep]
    if len(ids) <= n:
        return matrix
    pick = np.random.default_rng(seed).choice(len(ids), size=n, replace=False)
    return matrix[np.sort(pick)]


def _pool() -> tuple[np.ndarray, np.ndarray]:
    """Every m-th paper with a vector (by id modulo m, from a seeded offset): one read
    of the vector table's index, whatever gaps the ids have."""
    key = database_key()
    now = time.monotonic()
    with _pool_lock:
        cached = _pools.get(key)
        if cached and now - cached[0] < POOL_SECONDS:
            return cached[1], cached[2]
    count = TableState.read().count
    step = max(1, count // POOL_SIZE)
    offset = int(np.random.default_rng(seed_for("pool", key)).integers(step))
    table = PaperEmbedding._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT paper_id FROM {table} WHERE model_name = %s AND paper_id %% %s = %s"
            " ORDER BY paper_id",
            [MODEL_NAME, step, offset],
        )
        wanted = [row[0] for row in cursor.fetchall()][:POOL_SIZE]
    ids, matrix = load_vectors(wanted) if wanted else (np.zeros(0, np.int64), _empty())
    with _pool_lock:
        _pools[key] = (now, ids, matrix)
    return ids, matrix


def clear_pool() -> None:
    with _pool_lock:
        _pools.clear()
