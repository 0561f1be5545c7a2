from __future__ import annotations

import os

import numpy as np
import onnx
import onnxruntime as ort
import pytest
from django.test import override_settings

from paperfeed.config import env_int
from paperfeed.search.embeddings import (
    DIMENSIONS,
    Embedder,
    ModelUnavailable,
    embed_threads,
    embedder_from_settings,
    ensure_model,
    model_dir,
    paper_text,
)

# Lengths from a few word pieces to past the 256 cut, so batches pad every way.
MIXED = [
    "Graph neural networks for molecules.",
    "",
    "A study of " + "convolutional image models under distribution shift " * 40,
    "Diffusion models for video generation. We propose a temporal attention block.",
    "mid",
    "Reinforcement learning for robot grasping with tactile feedback " * 6,
]


def test_vectors_are_normalised_384_float32(embedder):
    texts = ["Graph neural networks for molecules.", "", "x" * 5000, "nul\x00byte"]
    vecs = embedder.embed(texts, batch_size=2)
    assert vecs.shape == (4, DIMENSIONS)
    assert vecs.dtype == np.float32
    assert np.allclose(np.linalg.norm(vecs, axis=1), 1.0, atol=1e-4)
    assert embedder.embed([]).shape == (0, DIMENSIONS)


def test_parallel_runs_give_the_same_vectors_as_one_at_a_time(embedder, monkeypatch):
    texts = [f"paper {i}: " + "graph neural networks for molecules " * (i % 7) for i in range(24)]
    monkeypatch.setattr(embedder, "threads", 1)
    serial = embedder.embed(texts)
    monkeypatch.setattr(embedder, "threads", 3)
    assert np.array_equal(embedder.embed(texts), serial)
    assert np.array_equal(embedder.embed(texts[::-1]), serial[::-1])


def test_a_vector_does_not_depend_on_order_or_neighbours(embedder):
    together = embedder.embed(MIXED)
    alone = np.vstack([embedder.embed([t]) for t in MIXED])
    assert np.array_equal(together, alone)
    shuffled = [5, 2, 0, 4, 1, 3]
    assert np.array_equal(embedder.embed([MIXED[i] for i in shuffled]), together[shuffled])
    # the same text twice in one call gets the same vector twice
    twice = embedder.embed([MIXED[3], MIXED[0], MIXED[3]])
    assert np.array_equal(twice[0], twice[2])


@pytest.fixture(scope="module")
def fp32_embedder(embedder):
    """The same weights without quantisation: batches must not change its vectors."""
    source = model_dir()
    path = ensure_model(embedder.onnx_path.parent, source, quantized=False)
    return Embedder(path, source / "tokenizer.json", threads=2)


def test_padded_batches_give_the_vectors_of_single_runs(fp32_embedder):
    alone = np.vstack([fp32_embedder.embed([t]) for t in MIXED])
    for size in (2, 3, len(MIXED)):
        batched = fp32_embedder.embed(MIXED, batch_size=size)
        assert np.abs(batched - alone).max() < 1e-5, size
        assert (batched * alone).sum(axis=1).min() > 1 - 1e-6


def test_int8_batches_stay_close_to_single_runs(embedder, fp32_embedder):
    alone = embedder.embed(MIXED)
    batched = embedder.embed(MIXED, batch_size=len(MIXED))
    assert np.array_equal(batched, embedder.embed(MIXED, batch_size=len(MIXED)))
    # one activation scale a run: the empty text among long ones drifts most (0.96)
    assert (batched * alone).sum(axis=1).min() > 0.95
    # and the int8 vectors of real texts stay close to the unquantised ones
    texts = [t for t in MIXED if t]
    assert (embedder.embed(texts) * fp32_embedder.embed(texts)).sum(axis=1).min() > 0.985


def test_the_fused_int8_graph_is_what_runs(embedder):
    assert embedder.onnx_path.name.endswith(".int8.onnx")
    ops = {node.op_type for node in onnx.load(str(embedder.onnx_path)).graph.node}
    fused = {
        "EmbedLayerNormalization",
        "QAttention",
        "DynamicQuantizeMatMul",
        "SkipLayerNormalization",
        "BiasGelu",
    }
    assert fused <= ops
    # nothing left unfused or unquantised: the file holds the graph as it runs
    unfused = {"MatMul", "MatMulInteger", "Attention", "Softmax", "Erf", "LayerNormalization"}
    assert not ops & unfused
    options = embedder.session.get_session_options()
    assert options.graph_optimization_level == ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    assert options.intra_op_num_threads == 1


def test_embed_threads_default_to_the_usable_cores():
    assert embed_threads(3) == 3
    assert embed_threads(0) == len(os.sched_getaffinity(0))


def test_the_settings_choose_threads_and_model_folder(embedder, tmp_path):
    data_dir = embedder.onnx_path.parent.parent  # the session's built model is reused
    with override_settings(DATA_DIR=data_dir, PAPERFEED_EMBED_THREADS=3):
        assert embedder_from_settings().threads == 3
    missing = override_settings(DATA_DIR=data_dir, PAPERFEED_MODEL_DIR=str(tmp_path))
    with missing, pytest.raises(ModelUnavailable, match=str(tmp_path)):
        embedder_from_settings()


def test_a_bad_number_in_the_environment_names_the_variable(monkeypatch):
    monkeypatch.setenv("PAPERFEED_EMBED_THREADS", "two")
    with pytest.raises(ValueError, match="PAPERFEED_EMBED_THREADS must be a whole number"):
        env_int("PAPERFEED_EMBED_THREADS", 0)
    monkeypatch.setenv("PAPERFEED_EMBED_THREADS", " ")
    assert env_int("PAPERFEED_EMBED_THREADS", 0) == 0


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
