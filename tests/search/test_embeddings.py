from __future__ import annotations

import numpy as np

from paperfeed.search.embeddings import DIMENSIONS, embed_threads, paper_text


def test_vectors_are_normalised_384_float32(embedder):
    texts = ["Graph neural networks for molecules.", "", "x" * 5000, "nul\x00byte"]
    vecs = embedder.embed(texts, batch_size=2)
    assert vecs.shape == (4, DIMENSIONS)
    assert vecs.dtype == np.float32
    assert np.allclose(np.linalg.norm(vecs, axis=1), 1.0, atol=1e-4)
    assert embedder.embed([]).shape == (0, DIMENSIONS)


def test_vectors_are_reproducible_and_batches_stay_close(embedder):
    texts = ["short one", "a much longer sentence about convolutional image models " * 5, "mid"]
    default = embedder.embed(texts)
    apart = np.vstack([embedder.embed([t]) for t in texts])
    assert np.array_equal(default, apart)
    # batched runs share activation scales: close, not identical
    batched = embedder.embed(texts, batch_size=3)
    assert (batched * apart).sum(axis=1).min() > 0.95


def test_parallel_runs_give_the_same_vectors_as_one_at_a_time(embedder, monkeypatch):
    texts = [f"paper {i}: " + "graph neural networks for molecules " * (i % 7) for i in range(24)]
    monkeypatch.setattr(embedder, "threads", 1)
    serial = embedder.embed(texts)
    monkeypatch.setattr(embedder, "threads", 3)
    assert np.array_equal(embedder.embed(texts), serial)
    assert np.array_equal(embedder.embed(texts[::-1]), serial[::-1])


def test_embed_threads_follow_the_environment(monkeypatch):
    monkeypatch.setenv("PAPERFEED_EMBED_THREADS", "3")
    assert embed_threads() == 3
    monkeypatch.delenv("PAPERFEED_EMBED_THREADS")
    assert embed_threads() >= 1


def test_paraphrase_ranks_above_unrelated_text(embedder):
    query, paraphrase, unrelated = embedder.embed(
        [
            "A neural network that translates English sentences into German.",
            "Machine translation from English to German with deep learning.",
            "Measuring the thermal conductivity of copper alloys at low temperature.",
        ]
    )
    assert query @ paraphrase > 0.6
    assert query @ paraphrase > query @ unrelated + 0.3


def test_paper_text_joins_title_and_abstract():
    assert paper_text(" A  title\n", "An\nabstract.") == "A title. An abstract."
    assert paper_text("Only a title", "") == "Only a title"
