"""Personal recommendations: simulated readers over an indexed catalogue, paperfeed's
recommender side by side with arxiv-sanity-lite's algorithm and a centroid of liked
vectors; then latency and model rebuild time.

    python benchmarks/recommend.py --data-dir /tmp/pf-full [--variants] [--authors 60]
    python benchmarks/recommend.py --data-dir DIR --grow 1000000   # latency when grown

Methods (each gets the same readers):
* **paperfeed**: ``paperfeed.recommend.rank.recommend()`` itself, over the database
  (candidates through the ANN index or the date window, as in production).
* **arxiv-sanity**: its ``compute.py`` tf-idf (``TfidfVectorizer`` over title, abstract
  and author names, its settings: 20,000 features, word 1-2 grams, min_df 5, max_df
  0.1, sublinear tf) and its ``svm_rank`` (``LinearSVC(class_weight="balanced",
  max_iter=10000, tol=1e-6, C=0.01)`` fitted with the liked papers as positives and
  every other paper as a negative, ranking by ``decision_function``). It has no
  dislike: a disliked paper is a negative, as every unliked one already is.
* **centroid**: cosine to the mean of the liked papers' vectors.
* With ``--variants``, the model kinds and weights paperfeed chose among, each through
  the same production function.

Protocols:
* **category readers**: ``--per-category`` readers for each of 10 primary categories of
  very different sizes, each liking 20 random papers of it; P@20 = share of the top 20
  (over the whole catalogue, liked papers excluded) whose primary category is it;
  macro average over categories.
* **author readers**: ``--authors`` random authors with at least 6 papers; their
  papers up to the median announcement date are the likes, the later ones the targets,
  ranked among every paper announced after the last liked one; recall@50.
* **negative feedback**: each category reader also dislikes 10 random papers of the
  neighbouring topic (the other primary category whose centroid is nearest); the
  share of that topic in the top 20 before and after the dislikes.

Prints figures only; nothing is asserted.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import statistics
import sys
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]

TARGET_CATEGORIES = 10
MIN_CATEGORY = 40  # papers of a primary category for its readers (20 liked, the rest to find)


def load() -> str:
    return "load average {:.2f} {:.2f} {:.2f}".format(*os.getloadavg())


def setup(data_dir: str) -> None:
    os.environ["PAPERFEED_DATA_DIR"] = data_dir
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "paperfeed.settings")
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()


@dataclass
class Corpus:
    ids: np.ndarray  # catalogue keys, in row order
    primary: list[str]
    announced: list[dt.date]
    texts: list[str]
    authors: list[list[int]]
    vectors: np.ndarray
    row: dict[int, int]


def read_corpus() -> Corpus:
    from paperfeed.catalogue.models import Authorship, Paper
    from paperfeed.search.vectors import load_vectors

    ids, vectors = load_vectors()
    row = {int(pk): i for i, pk in enumerate(ids.tolist())}
    n = len(ids)
    primary, announced, texts = [""] * n, [dt.date.min] * n, [""] * n
    names: dict[int, list[str]] = defaultdict(list)
    authors: list[list[int]] = [[] for _ in range(n)]
    for pk, author_id, name in Authorship.objects.order_by("paper_id", "position").values_list(
        "paper_id", "author_id", "author__name"
    ):
        if pk in row:
            names[pk].append(name)
            authors[row[pk]].append(author_id)
    for pk, cat, day, title, abstract in Paper.objects.values_list(
        "id", "primary_category_id", "announced", "title", "abstract"
    ):
        if pk in row:
            i = row[pk]
            primary[i], announced[i] = cat or "", day or dt.date.min
            # compute.py: title, summary and the authors' names joined by spaces
            texts[i] = " ".join([title, abstract, " ".join(names[pk])])
    return Corpus(ids, primary, announced, texts, authors, vectors, row)


# --------------------------------------------------------------------------- readers


@dataclass
class Reader:
    likes: list[int]  # rows
    dislikes: list[int]
    candidates: np.ndarray | None  # boolean mask over rows, None = all
    since: dt.date | None
    targets: set[int]
    label: str


def pick_categories(corpus: Corpus, rng: random.Random) -> list[str]:
    """Ten primary categories spread over sizes (log-spaced ranks among those with at
    least MIN_CATEGORY papers), so the big and the small both count."""
    sizes = Counter(corpus.primary)
    usable = [c for c, k in sizes.most_common() if k >= MIN_CATEGORY and c]
    if len(usable) <= TARGET_CATEGORIES:
        return usable
    picks = np.unique(np.geomspace(1, len(usable), TARGET_CATEGORIES * 2).astype(int) - 1)
    chosen = [usable[i] for i in picks]
    while len(chosen) > TARGET_CATEGORIES:
        chosen.pop(len(chosen) // 2)
    return chosen


def category_readers(corpus: Corpus, per: int, rng: random.Random) -> list[Reader]:
    by_cat: dict[str, list[int]] = defaultdict(list)
    for i, c in enumerate(corpus.primary):
        by_cat[c].append(i)
    readers = []
    for cat in pick_categories(corpus, rng):
        for k in range(per):
            readers.append(Reader(rng.sample(by_cat[cat], 20), [], None, None, set(), cat))
            readers[-1].label = f"{cat}#{k}"
    return readers


def neighbour_of(corpus: Corpus, cat: str) -> str:
    """The other primary category (of at least MIN_CATEGORY papers) nearest by centroid."""
    sizes = Counter(corpus.primary)
    cats = [c for c, k in sizes.items() if k >= MIN_CATEGORY and c]
    prim = np.array(corpus.primary)
    centroids = {c: corpus.vectors[prim == c].mean(axis=0) for c in cats}
    own = centroids[cat] / np.linalg.norm(centroids[cat])
    best = max(
        (c for c in cats if c != cat),
        key=lambda c: float(own @ (centroids[c] / np.linalg.norm(centroids[c]))),
    )
    return best


def negative_readers(
    corpus: Corpus, readers: list[Reader], rng: random.Random
) -> list[tuple[Reader, str]]:
    by_cat: dict[str, list[int]] = defaultdict(list)
    for i, c in enumerate(corpus.primary):
        by_cat[c].append(i)
    neighbours: dict[str, str] = {}
    out = []
    for reader in readers:
        cat = reader.label.split("#")[0]
        if cat not in neighbours:
            neighbours[cat] = neighbour_of(corpus, cat)
        other = neighbours[cat]
        dislikes = rng.sample(by_cat[other], 10)
        out.append((replace(reader, dislikes=dislikes), other))
    return out


def author_readers(corpus: Corpus, count: int, rng: random.Random) -> list[Reader]:
    papers: dict[int, list[int]] = defaultdict(list)
    for i, authors in enumerate(corpus.authors):
        for a in authors:
            papers[a].append(i)
    eligible = sorted(a for a, rows in papers.items() if len(rows) >= 6)
    rng.shuffle(eligible)
    announced = np.array([d.toordinal() for d in corpus.announced])
    readers = []
    for a in eligible:
        rows = sorted(papers[a], key=lambda i: (corpus.announced[i], int(corpus.ids[i])))
        split = corpus.announced[rows[(len(rows) - 1) // 2]]
        likes = [i for i in rows if corpus.announced[i] <= split]
        targets = {i for i in rows if corpus.announced[i] > split}
        if len(likes) < 3 or len(targets) < 2:
            continue
        mask = announced > split.toordinal()
        since = split + dt.timedelta(days=1)
        readers.append(Reader(likes, [], mask, since, targets, f"author {a}"))
        if len(readers) >= count:
            break
    return readers


# --------------------------------------------------------------------------- methods


class Centroid:
    name = "centroid"

    def __init__(self, corpus: Corpus) -> None:
        self.corpus = corpus

    def rank(self, reader: Reader, k: int) -> list[int]:
        q = self.corpus.vectors[reader.likes].mean(axis=0)
        return top_rows(self.corpus.vectors @ q, reader, k)


class ArxivSanity:
    """compute.py's tf-idf and serve.py's svm_rank, as they are."""

    name = "arxiv-sanity"

    def __init__(self, corpus: Corpus) -> None:
        from sklearn.feature_extraction.text import TfidfVectorizer

        started = time.perf_counter()
        v = TfidfVectorizer(
            input="content",
            encoding="utf-8",
            decode_error="replace",
            strip_accents="unicode",
            lowercase=True,
            analyzer="word",
            stop_words="english",
            token_pattern=r"(?u)\b[a-zA-Z_][a-zA-Z0-9_]+\b",
            ngram_range=(1, 2),
            max_features=20000,
            norm="l2",
            use_idf=True,
            smooth_idf=True,
            sublinear_tf=True,
            max_df=0.1,
            min_df=5,
        )
        v.fit(corpus.texts)
        self.x = v.transform(corpus.texts).astype(np.float32)
        self.build_seconds = time.perf_counter() - started
        self.fit_seconds: list[float] = []

    def rank(self, reader: Reader, k: int) -> list[int]:
        from sklearn import svm

        y = np.zeros(self.x.shape[0], dtype=np.float32)
        y[reader.likes] = 1.0
        started = time.perf_counter()
        clf = svm.LinearSVC(
            class_weight="balanced", verbose=False, max_iter=10000, tol=1e-6, C=0.01
        )
        clf.fit(self.x, y)
        s = clf.decision_function(self.x)
        self.fit_seconds.append(time.perf_counter() - started)
        return top_rows(s, reader, k)


class Paperfeed:
    """The production function over the database."""

    def __init__(self, corpus: Corpus, name: str = "paperfeed", params=None) -> None:  # type: ignore[no-untyped-def]
        self.corpus = corpus
        self.name = name
        self.params = params
        self.laps: list[float] = []

    def rank(self, reader: Reader, k: int) -> list[int]:
        from paperfeed.recommend.profile import Profile
        from paperfeed.recommend.rank import recommend

        ids = self.corpus.ids
        profile = Profile(
            positive={int(ids[i]): "given" for i in reader.likes},
            negative=[int(ids[i]) for i in reader.dislikes],
        )
        started = time.perf_counter()
        found = recommend(profile, since=reader.since, limit=k, params=self.params)
        self.laps.append(time.perf_counter() - started)
        return [self.corpus.row[r.paper_id] for r in found if r.paper_id in self.corpus.row]


def top_rows(scores: np.ndarray, reader: Reader, k: int) -> list[int]:
    scores = np.asarray(scores, dtype=np.float64).copy()
    scores[reader.likes] = -np.inf
    scores[reader.dislikes] = -np.inf
    if reader.candidates is not None:
        scores[~reader.candidates] = -np.inf
    top = np.argpartition(-scores, k)[:k]
    top = top[np.argsort(-scores[top])]
    return [int(i) for i in top if np.isfinite(scores[i])]


# --------------------------------------------------------------------------- protocols


def category_p20(method, corpus: Corpus, readers: list[Reader]) -> tuple[float, dict[str, float]]:
    per_cat: dict[str, list[float]] = defaultdict(list)
    for reader in readers:
        cat = reader.label.split("#")[0]
        top = method.rank(reader, 20)
        per_cat[cat].append(sum(corpus.primary[i] == cat for i in top) / 20)
    means = {c: statistics.mean(v) for c, v in per_cat.items()}
    return statistics.mean(means.values()), means


def author_recall(method, readers: list[Reader]) -> float:
    recalls = []
    for reader in readers:
        top = set(method.rank(reader, 50))
        recalls.append(len(top & reader.targets) / len(reader.targets))
    return statistics.mean(recalls)


def one_paper(method, corpus: Corpus, rows: list[int]) -> tuple[float, float]:
    """Similar papers as the one-liked-paper case: P@10 of the paper's primary category,
    and how many of the 10 share an author with it."""
    same_cat, same_author = [], []
    for row in rows:
        reader = Reader([row], [], None, None, set(), "one")
        top = method.rank(reader, 10)
        same_cat.append(sum(corpus.primary[i] == corpus.primary[row] for i in top) / 10)
        mine = set(corpus.authors[row])
        same_author.append(sum(bool(mine & set(corpus.authors[i])) for i in top) / 10)
    return statistics.mean(same_cat), statistics.mean(same_author)


def negative_shift(method, corpus: Corpus, pairs: list[tuple[Reader, str]]) -> tuple[float, float]:
    before, after = [], []
    for reader, other in pairs:
        plain = replace(reader, dislikes=[])
        before.append(sum(corpus.primary[i] == other for i in method.rank(plain, 20)) / 20)
        after.append(sum(corpus.primary[i] == other for i in method.rank(reader, 20)) / 20)
    return statistics.mean(before), statistics.mean(after)


# --------------------------------------------------------------------------- latency


def percentiles(laps: list[float]) -> str:
    laps = sorted(laps)
    p95 = laps[min(len(laps) - 1, int(round(0.95 * (len(laps) - 1))))]
    return f"p50 {statistics.median(laps) * 1000:6.1f} ms  p95 {p95 * 1000:6.1f} ms"


def latency(profiles, rounds: int) -> None:  # type: ignore[no-untyped-def]
    """p50/p95 of the production calls, wall and CPU, over ``profiles``."""
    from paperfeed.catalogue.models import Paper
    from paperfeed.recommend.rank import forget_readers, reader_for, reader_model, recommend
    from paperfeed.search.vectors import TableState

    last = Paper.objects.order_by("-announced").values_list("announced", flat=True).first()
    week = last - dt.timedelta(days=6)
    recommend(profiles[0], limit=20)  # warm the caches (vector matrix or index, pool)
    recommend(profiles[0], since=week, until=last, limit=20)
    recommend(profiles[0], since=last, until=last, limit=20)
    for profile in profiles:  # each reader's model, as fitted after their last signal
        reader_for(profile)
    # The model is fitted once per profile (rank.reader_for): "rank" is a reader's
    # ranking with the model as fitted after their last signal; "after a signal" is
    # the first ranking once it changed, the fit included.
    cases = {
        "model rebuild": lambda p: reader_model(p),
        "rank a day": lambda p: recommend(p, since=last, until=last, limit=20),
        "rank a week": lambda p: recommend(p, since=week, until=last, limit=20),
        "rank the catalogue": lambda p: recommend(p, limit=20),
        "a week after a signal": lambda p: recommend(p, since=week, until=last, limit=20),
        "a week after an import": lambda p: recommend(p, since=week, until=last, limit=20),
    }
    count = TableState.read().count
    print(f"\nlatency over {count:,} papers, {len(profiles)} readers x {rounds}; {load()}")
    for label, call in cases.items():
        laps, cpu = [], []
        for _ in range(rounds):
            for profile in profiles:
                if label.endswith("after a signal"):
                    forget_readers()
                if label.endswith("after an import"):  # what a new catalogue version drops
                    forget_shared()
                started, cpu0 = time.perf_counter(), time.process_time()
                call(profile)
                laps.append(time.perf_counter() - started)
                cpu.append(time.process_time() - cpu0)
        print(
            f"  {label:20s} {percentiles(laps)}  CPU median {statistics.median(cpu) * 1000:.1f} ms"
            f"  ({load()})",
            flush=True,
        )


def forget_shared() -> None:
    """The per-process tables every reader shares, as a new catalogue version leaves
    them: the window's vectors and bylines, every paper's primary category."""
    from paperfeed.recommend import rank
    from paperfeed.search import vectors

    vectors._filtered_cache.clear()
    rank._bylines_cache.clear()
    rank._primary_cache.clear()


def grown(args: argparse.Namespace) -> None:
    """Latency only, over the data directory tiled up to ``--grow`` papers as in
    search_latency.py --million (copies carry their original's vector plus noise)."""
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from search_latency import COPY_BASE, grow_catalogue

    work = Path(args.work_dir or f"/tmp/paperfeed-recommend-grown-{args.grow}")
    marker = work / "grown.json"
    wanted = {"source": str(Path(args.data_dir).resolve()), "papers": args.grow}
    if not marker.exists() or json.loads(marker.read_text()) != wanted:
        grow_catalogue(Path(args.data_dir).resolve(), work, args.grow, 0.5, 0)
        marker.write_text(json.dumps(wanted))
    setup(str(work))
    latency_only(args, COPY_BASE)


def latency_only(args: argparse.Namespace, below: int | None = None) -> None:
    """Latency of readers liking 20 papers of one of the 10 biggest categories (of
    the papers with ids under ``below``: the real ones of a grown copy)."""
    from paperfeed.catalogue.models import Paper
    from paperfeed.recommend.profile import Profile
    from paperfeed.search import vectors

    if vectors.TableState.read().count > vectors.ann_threshold() and vectors.ann_index() is None:
        started = time.perf_counter()
        print(vectors.sync_ann_index(rebuild=True), f"in {time.perf_counter() - started:.0f} s")
    rng = random.Random(args.seed)
    real = Paper.objects.filter(id__lt=below) if below else Paper.objects.all()
    cats = [
        c for c, _ in Counter(real.values_list("primary_category_id", flat=True)).most_common(10)
    ]
    profiles = []
    for cat in cats:
        ids = list(real.filter(primary_category_id=cat).values_list("id", flat=True))
        profiles.append(
            Profile(positive={pk: "given" for pk in rng.sample(ids, min(20, len(ids)))})
        )
    latency(profiles, args.latency_rounds)


# --------------------------------------------------------------------------- main


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data-dir", default=os.environ.get("PAPERFEED_DATA_DIR"))
    parser.add_argument("--per-category", type=int, default=5)
    parser.add_argument("--authors", type=int, default=60)
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--variants", action="store_true", help="also the candidate models")
    parser.add_argument("--no-arxiv-sanity", action="store_true")
    parser.add_argument("--latency-rounds", type=int, default=3)
    parser.add_argument("--one-paper", type=int, default=100, help="one-paper readers")
    parser.add_argument("--grow", type=int, help="latency only, over a copy tiled to N papers")
    parser.add_argument(
        "--latency-only", action="store_true", help="only the latency, over the data dir as it is"
    )
    parser.add_argument("--work-dir", help="where the grown copy lives (kept for reuse)")
    args = parser.parse_args()
    if not args.data_dir:
        raise SystemExit("--data-dir (or PAPERFEED_DATA_DIR): an imported, embedded catalogue")
    from benchdata import require_data_dir  # this folder is on sys.path

    require_data_dir(args.data_dir, "the listings corpus imported and embedded")
    if args.grow:
        grown(args)
        return
    setup(args.data_dir)
    if args.latency_only:
        latency_only(args)
        return
    from paperfeed.recommend.model import ModelParams
    from paperfeed.recommend.rank import PARAMS

    rng = random.Random(args.seed)
    started = time.perf_counter()
    corpus = read_corpus()
    print(
        f"{len(corpus.ids):,} papers with vectors read"
        f" in {time.perf_counter() - started:.1f} s; {load()}"
    )
    cats = category_readers(corpus, args.per_category, rng)
    authors = author_readers(corpus, args.authors, rng)
    negatives = negative_readers(corpus, cats, rng)
    print(
        f"{len(cats)} category readers over {len({r.label.split('#')[0] for r in cats})}"
        f" categories, {len(authors)} author readers, {len(negatives)} negative-feedback readers"
    )
    methods: list = [Paperfeed(corpus, "paperfeed", PARAMS), Centroid(corpus)]
    if args.variants:
        for label, params in {
            "logistic alone": ModelParams(kind="logistic", liked_author_weight=0),
            "dislike part x1": replace(PARAMS, dislike_weight=1.0),
            "dislike part x3": replace(PARAMS, dislike_weight=3.0),
            "dislike part x6": replace(PARAMS, dislike_weight=6.0),
            "liked category x0": replace(PARAMS, liked_category_weight=0.0),
            "liked category x0.5": replace(PARAMS, liked_category_weight=0.5),
            "liked category x1": replace(PARAMS, liked_category_weight=1.0),
            "liked category x2": replace(PARAMS, liked_category_weight=2.0),
        }.items():
            methods.append(Paperfeed(corpus, label, params))
    if not args.no_arxiv_sanity:
        sanity = ArxivSanity(corpus)
        print(
            f"arxiv-sanity tf-idf built in {sanity.build_seconds:.1f} s {sanity.x.shape}; {load()}"
        )
        methods.insert(1, sanity)

    print(
        f"\n{'method':24s} {'category P@20':>14s} {'author R@50':>12s}"
        f" {'neighbour share before -> after':>32s}"
    )
    detail = {}
    for method in methods:
        t0 = time.perf_counter()
        p20, per_cat = category_p20(method, corpus, cats)
        recall = author_recall(method, authors)
        before, after = negative_shift(method, corpus, negatives)
        detail[method.name] = per_cat
        print(
            f"{method.name:24s} {p20:14.3f} {recall:12.3f} {before:15.3f} -> {after:.3f}"
            f"   ({time.perf_counter() - t0:.0f} s; {load()})",
            flush=True,
        )
    rows = random.Random(args.seed + 1).sample(range(len(corpus.ids)), args.one_paper)
    print(f"\none-paper readers ({len(rows)}; 'similar papers'): P@10 same category, same author")
    for method in methods if rows else []:
        if isinstance(method, ArxivSanity | Centroid) or method.name == "paperfeed":
            cat, author = one_paper(method, corpus, rows)
            label = "nearest neighbours" if isinstance(method, Centroid) else method.name
            print(f"  {label:24s} {cat:6.3f} {author:6.3f}")
    print("\nP@20 per category (papers of that primary category in the catalogue):")
    sizes = Counter(corpus.primary)
    names = list(detail)
    print(f"  {'category':10s} {'papers':>7s} " + " ".join(f"{n[:14]:>14s}" for n in names))
    for cat in detail[names[0]]:
        row = " ".join(f"{detail[n][cat]:14.2f}" for n in names)
        print(f"  {cat:10s} {sizes[cat]:7d} {row}")
    if isinstance(methods[1], ArxivSanity) and methods[1].fit_seconds:
        fits = methods[1].fit_seconds
        print(f"arxiv-sanity SVM fit+score per reader: median {statistics.median(fits):.2f} s")
    from paperfeed.recommend.profile import Profile

    profiles = [
        Profile(positive={int(corpus.ids[i]): "given" for i in r.likes})
        for r in cats[:: max(1, len(cats) // 20)]
    ]
    if args.latency_rounds > 0:
        latency(profiles, args.latency_rounds)


if __name__ == "__main__":
    main()
