"""Indexing beside deletions: a batch's vectors are written for the papers still there.
Its own module: the test commits (a deletion seen by the batch's transaction), and
a transactional test empties the database after it, which the modules sharing the
indexed corpus slice must not meet."""

from __future__ import annotations

import pytest

from paperfeed.catalogue.ingest import Ingestor
from paperfeed.catalogue.models import Paper
from paperfeed.search.models import PaperEmbedding
from tests.search.conftest import listing_records, task_backend


@pytest.mark.django_db(transaction=True)
def test_a_paper_deleted_while_its_batch_is_embedded_leaves_the_rest_stored():
    """Embedding a batch takes seconds; a paper deleted meanwhile (a curator's removal,
    a re-run import's clean-up) once failed the whole batch at commit, on the foreign
    key, and the rest waited for the next ``reindex --missing``."""
    from paperfeed.search.embeddings import get_embedder
    from paperfeed.search.indexing import embed_papers

    with task_backend("django_tasks.backends.dummy.DummyBackend"):
        ids = sorted(Ingestor().ingest(listing_records(0, 4)).changed_ids)
    victim = ids[1]
    real = get_embedder()

    class DeletingEmbedder:
        name = real.name

        def embed(self, texts):  # type: ignore[no-untyped-def]
            matrix = real.embed(texts)
            Paper.objects.filter(id=victim).delete()  # committed: this test's own
            return matrix

    assert embed_papers(ids, embedder=DeletingEmbedder(), force=True) == len(ids) - 1
    stored = set(PaperEmbedding.objects.values_list("paper_id", flat=True))
    assert stored == set(ids) - {victim}
