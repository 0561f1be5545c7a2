"""Stored embeddings. The keyword index lives in tables written by raw SQL
(FTS5 on SQLite, a tsvector table on PostgreSQL): see keyword.py and the migration."""

from __future__ import annotations

import numpy as np
from django.db import models
from pgvector.django import VectorField

from paperfeed.catalogue.models import Paper


class PaperEmbedding(models.Model):
    """One vector per paper for the current model.

    ``vector`` holds the float32 bytes on every database; ``pgvector`` holds the
    same numbers as a pgvector column on PostgreSQL only (there the HNSW index is
    built on it; on SQLite it stays NULL and the index is an hnswlib file).
    ``categories`` holds the paper's categories and their archives
    (:func:`paperfeed.search.filters.codes_and_archives`), kept current by
    :mod:`paperfeed.search.categories`: on PostgreSQL a category filter is tested on
    the row itself, and a big category has an HNSW index of its own rows (a partial
    index whose predicate reads this column).
    """

    paper = models.OneToOneField(
        Paper, on_delete=models.CASCADE, primary_key=True, related_name="embedding"
    )
    model_name = models.CharField(max_length=64, db_index=True)
    vector = models.BinaryField()
    pgvector = VectorField(dimensions=384, null=True, blank=True)
    categories = models.JSONField(default=list, blank=True)
    text_hash = models.CharField(
        max_length=16, blank=True, help_text="of the embedded text; same text, no re-embedding"
    )
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        indexes = [models.Index(fields=["model_name", "paper"], name="embedding_model_paper")]

    def __str__(self) -> str:
        return f"{self.paper_id} ({self.model_name})"

    def as_array(self) -> np.ndarray:
        return np.frombuffer(bytes(self.vector), dtype=np.float32)
