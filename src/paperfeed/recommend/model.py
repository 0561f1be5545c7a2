"""The per-reader model over paper vectors: no Django, so the benchmark can run every
variant over an in-memory corpus and production runs the chosen one over candidates.

A reader's score for a paper with unit vector ``x`` is a sum of parts, each kept apart
so reasons can name what moved it:

* ``linear``: a logistic regression trained on the reader's liked papers against
  their disliked ones and random catalogue papers (weighted so the two classes
  count equally), as ``w · x + b``. At its optimum ``w`` is a weighted sum of the
  training vectors, ``w = sum_i alpha_i x_i`` with ``alpha_i = C s_i y_i
  sigmoid(-y_i f(x_i))``, so a liked paper's share of a candidate's score is exactly
  ``alpha_i (x_i · x)``: the reasons quote the liked papers with the largest shares;
* ``neighbours``: the mean similarity of ``x`` to its ``k`` most similar liked papers,
  minus the similarity to the nearest disliked one; the per-paper similarities are the
  contributions reasons quote ("like *A* and *B* that you saved");
* additive boosts computed outside (authors, categories; see ``rank``).

The weights of the parts were chosen by ``benchmarks/recommend.py`` (see the README).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np

KINDS = ("centroid", "knn", "logistic", "svm", "blend")


@dataclass(frozen=True)
class ModelParams:
    """``kind``: one of :data:`KINDS`. ``blend`` adds ``knn_weight`` times the
    neighbour part to the logistic part; the others are the single parts."""

    kind: str = "logistic"
    C: float = 0.3
    knn_k: int = 3
    knn_weight: float = 4.0
    negative_weight: float = 1.0  # of the nearest disliked paper, in the neighbour part
    dislike_sample_weight: float = 3.0  # an explicit dislike against a random negative
    random_negatives: int = 300
    # Times the similarity to the mean of the disliked papers, taken off every score:
    # a few dislikes move a linear model little; this marks their whole topic down.
    dislike_weight: float = 3.0
    # Boosts added outside the vector model (rank.py), in the same units.
    # times the share of liked papers written by the candidate's authors (at most 1)
    liked_author_weight: float = 3.0
    followed_author_weight: float = 2.0
    followed_category_weight: float = 0.5
    # times the share of liked papers in the candidate's primary category (less the
    # disliked ones in it)
    liked_category_weight: float = 1.0


@dataclass
class ReaderModel:
    """A fitted model. ``w`` is None for the kinds without a linear part."""

    params: ModelParams
    positives: np.ndarray
    negatives: np.ndarray
    w: np.ndarray | None = None
    bias: float = 0.0
    centroid: np.ndarray = field(default_factory=lambda: np.zeros(0, np.float32))
    # Each liked paper's weight in w (the representer form above); None for the SVM.
    positive_alpha: np.ndarray | None = None
    # Catalogue keys of the rows of ``positives``, when the caller knows them.
    positive_ids: list[int] = field(default_factory=list)

    def query_vectors(self, most: int = 8) -> np.ndarray:
        """Vectors whose nearest neighbours hold this model's best papers: the linear
        direction (or the centroid) and up to ``most`` liked papers (most recent last,
        so the latest are kept). Used to draw candidates from the ANN index."""
        lead = self.w if self.w is not None else self.centroid
        lead = lead / (np.linalg.norm(lead) or 1.0)
        rows = [lead.astype(np.float32)]
        if self.params.kind in ("knn", "blend"):
            rows.extend(self.positives[-most:])
        return np.vstack(rows)

    def score(self, X: np.ndarray) -> Scored:
        """Scores of the rows of ``X`` (unit vectors), with each liked paper's share
        (worked out for the rows asked about: a week at a million papers has 17,000
        candidates, 20 of which are shown with their reasons)."""
        X = np.asarray(X, dtype=np.float32)
        kind = self.params.kind
        total = np.zeros(len(X), dtype=np.float32)
        if kind == "centroid":
            total = X @ self.centroid
        if kind in ("logistic", "svm", "blend"):
            total = X @ self.w + self.bias
        if len(self.negatives) and self.params.dislike_weight:
            total = total - self.params.dislike_weight * (X @ self.negatives.mean(axis=0))
        if kind in ("knn", "blend"):
            weight = 1.0 if kind == "knn" else self.params.knn_weight
            part, _ = self._neighbours(X, X @ self.positives.T)
            total = total + weight * part  # type: ignore[assignment]  # numpy stubs: widens to float64
        return Scored(total, lambda rows: self._shares(X[rows]))

    def _shares(self, X: np.ndarray) -> np.ndarray:
        """Each liked paper's part of the scores of the rows of ``X``."""
        sims = X @ self.positives.T  # (n, positives)
        kind = self.params.kind
        shares = np.zeros_like(sims)
        if kind == "centroid" or (
            kind in ("logistic", "svm", "blend") and self.positive_alpha is None
        ):
            shares = sims / max(len(self.positives), 1)
        elif kind in ("logistic", "svm", "blend"):
            shares = sims * self.positive_alpha
        if kind in ("knn", "blend"):
            weight = 1.0 if kind == "knn" else self.params.knn_weight
            _, nearest = self._neighbours(X, sims)
            shares = shares + weight * nearest / max(min(self.params.knn_k, sims.shape[1]), 1)
        return shares

    def _neighbours(self, X: np.ndarray, sims: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The neighbour part and the similarities it averaged (zero elsewhere)."""
        k = min(self.params.knn_k, sims.shape[1])
        nearest = np.zeros_like(sims)
        if k == 0:
            return np.zeros(len(X), dtype=np.float32), nearest
        top = np.argpartition(-sims, k - 1, axis=1)[:, :k]
        rows = np.arange(len(X))[:, None]
        nearest[rows, top] = sims[rows, top]
        part = nearest.sum(axis=1) / k
        if len(self.negatives):
            part = part - self.params.negative_weight * (X @ self.negatives.T).max(axis=1) / 2
        return part, nearest


class Scored:
    """``total[i]``: the model's score of candidate ``i``; ``shares[i, j]``: the part
    of it that liked paper ``j`` contributes (see the module docstring), worked out
    for the whole matrix only when asked for it."""

    def __init__(self, total: np.ndarray, shares_of: Callable[[np.ndarray], np.ndarray]) -> None:
        self.total = total
        self._shares_of = shares_of

    @cached_property
    def shares(self) -> np.ndarray:
        return self._shares_of(np.arange(len(self.total)))

    def top_liked(self, i: int, most: int = 2) -> list[tuple[int, float]]:
        """(liked paper index, its share of the score) of the liked papers that raised
        candidate ``i`` most, best first; only positive shares."""
        row = self._shares_of(np.asarray([i]))[0]
        order = np.argsort(-row)[: max(most, 0)]
        return [(int(j), float(row[j])) for j in order if row[j] > 0]


def seed_for(*parts: object) -> int:
    """A stable seed from the reader's ids, so the same signals give the same ranking."""
    digest = hashlib.blake2b(repr(parts).encode(), digest_size=8).digest()
    return int.from_bytes(digest, "little")


def fit(
    positives: np.ndarray,
    negatives: np.ndarray,
    randoms: np.ndarray,
    params: ModelParams | None = None,
) -> ReaderModel:
    """Train a reader's model. ``positives``/``negatives``: the vectors of the papers
    they liked and disliked; ``randoms``: catalogue papers standing in for what they
    did not look at (a random paper is a negative far more often than not)."""
    params = params or ModelParams()
    if params.kind not in KINDS:
        raise ValueError(f"unknown model kind {params.kind!r}: one of {', '.join(KINDS)}")
    positives = np.asarray(positives, dtype=np.float32).reshape(-1, _dim(positives, randoms))
    negatives = np.asarray(negatives, dtype=np.float32).reshape(-1, positives.shape[1])
    centroid = positives.mean(axis=0) if len(positives) else np.zeros(positives.shape[1])
    model = ReaderModel(params, positives, negatives, centroid=centroid.astype(np.float32))
    if params.kind in ("logistic", "svm", "blend") and len(positives):
        model.w, model.bias, model.positive_alpha = _linear(positives, negatives, randoms, params)
    elif params.kind in ("logistic", "svm", "blend"):
        model.w = np.zeros(positives.shape[1], dtype=np.float32)
    return model


def _dim(*arrays: np.ndarray) -> int:
    for array in arrays:
        array = np.asarray(array)
        if array.ndim == 2 and array.shape[1]:
            return array.shape[1]
    return 384


def _linear(
    positives: np.ndarray, negatives: np.ndarray, randoms: np.ndarray, params: ModelParams
) -> tuple[np.ndarray, float, np.ndarray | None]:
    """(w, b, each liked paper's alpha) of the linear model."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.svm import LinearSVC

    X, y, weight = training_set(positives, negatives, randoms, params)
    if len(set(y.tolist())) < 2:
        alpha = np.full(len(positives), 1.0 / len(positives), dtype=np.float32)
        return positives.mean(axis=0).astype(np.float32), 0.0, alpha
    if params.kind == "svm":
        clf = LinearSVC(C=params.C, max_iter=10000, tol=1e-4)
        clf.fit(X, y, sample_weight=weight)
        return clf.coef_[0].astype(np.float32), float(clf.intercept_[0]), None
    # liblinear: a few ms on a few hundred rows, no BLAS threads to contend for. It
    # minimises |w|^2/2 + C sum_i s_i log(1 + exp(-y_i f(x_i))), so at the optimum
    # w = C sum_i s_i y_i sigmoid(-y_i f(x_i)) x_i: alpha_i for the liked papers.
    clf = LogisticRegression(C=params.C, solver="liblinear", tol=1e-5)
    clf.fit(X, y, sample_weight=weight)
    w, b = clf.coef_[0].astype(np.float32), float(clf.intercept_[0])
    f = positives @ w + b
    alpha = representer_alphas(f, np.ones(len(f)), weight[: len(positives)], params.C)
    return w, b, alpha.astype(np.float32)


def training_set(
    positives: np.ndarray, negatives: np.ndarray, randoms: np.ndarray, params: ModelParams
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(X, y, sample weights): liked papers against disliked and random ones, each
    dislike weighing ``dislike_sample_weight`` randoms, the two classes balanced by
    their total weight as ``class_weight="balanced"`` would."""
    randoms = np.asarray(randoms, dtype=np.float32).reshape(-1, positives.shape[1])
    X = np.vstack([positives, negatives, randoms])
    y = np.concatenate([np.ones(len(positives)), np.zeros(len(negatives) + len(randoms))])
    weight = np.concatenate(
        [
            np.full(len(positives), 1.0),
            np.full(len(negatives), params.dislike_sample_weight),
            np.full(len(randoms), 1.0),
        ]
    )
    pos, neg = weight[y == 1].sum(), weight[y == 0].sum()
    weight = np.where(y == 1, weight * len(y) / (2 * pos), weight * len(y) / (2 * max(neg, 1e-9)))
    return X, y, weight


def representer_alphas(
    f: np.ndarray, signs: np.ndarray, weight: np.ndarray, C: float
) -> np.ndarray:
    """``C s_i sigmoid(-y_i f(x_i))``: with ``signs`` (+1/-1) times these, the training
    vectors sum to the logistic regression's ``w``."""
    return C * weight / (1.0 + np.exp(signs * f))
