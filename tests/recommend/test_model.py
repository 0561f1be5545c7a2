"""The per-reader model without a database: its reasons are its exact contributions."""

from __future__ import annotations

import numpy as np

from paperfeed.recommend.model import ModelParams, fit, representer_alphas, training_set


def unit(rng, n: int, around: np.ndarray | None = None) -> np.ndarray:
    x = rng.normal(size=(n, 384)).astype(np.float32)
    if around is not None:
        x = x * 0.05 + around
    return x / np.linalg.norm(x, axis=1, keepdims=True)


def test_liked_papers_shares_are_the_logistic_models_own_decomposition():
    rng = np.random.default_rng(3)
    topic = unit(rng, 1)[0]
    P, N, R = unit(rng, 12, topic), unit(rng, 4), unit(rng, 200)
    params = ModelParams(kind="logistic", dislike_weight=0.0)  # the linear part alone
    model = fit(P, N, R, params)
    X, y, weight = training_set(P, N, R, params)
    signs = np.where(y == 1, 1.0, -1.0)
    alphas = representer_alphas(X @ model.w + model.bias, signs, weight, params.C)
    rebuilt = (alphas * signs) @ X
    assert np.allclose(rebuilt, model.w, atol=2e-3 * np.abs(model.w).max())
    # so a candidate's score splits into the training papers' shares (plus the bias)
    candidates = unit(rng, 5, topic)
    scored = model.score(candidates)
    liked_part = scored.shares.sum(axis=1)
    others = (candidates @ X[12:].T) @ (alphas[12:] * signs[12:])
    assert np.allclose(
        liked_part + others + model.bias, scored.total, atol=2e-3 * np.abs(scored.total).max()
    )
    # the reason names the liked paper with the largest share
    j, share = scored.top_liked(0, most=1)[0]
    assert j == int(np.argmax(scored.shares[0])) and share > 0


def test_a_dislike_pushes_its_neighbourhood_down():
    rng = np.random.default_rng(4)
    liked_topic, other_topic = unit(rng, 2)
    P, R = unit(rng, 10, liked_topic), unit(rng, 200)
    near_other = unit(rng, 20, (liked_topic + other_topic) / 2)
    plain = fit(P, np.zeros((0, 384)), R).score(near_other).total
    disliked = fit(P, unit(rng, 5, other_topic), R).score(near_other).total
    assert disliked.mean() < plain.mean()
