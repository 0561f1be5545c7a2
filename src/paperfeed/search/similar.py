"""Similar papers: nearest neighbours of a paper's stored vector."""

from __future__ import annotations

from paperfeed.catalogue.models import Paper
from paperfeed.search.filters import Filters
from paperfeed.search.hits import Hit
from paperfeed.search.vectors import HNSW_EF_SIMILAR, get_vector, vector_search
from paperfeed.sources.ids import InvalidArxivId, parse_arxiv_id


class PaperNotFound(LookupError):
    pass


def similar(arxiv_id: str, limit: int = 10, filters: Filters | None = None) -> list[Hit]:
    """Papers nearest to this one by meaning, best first, excluding itself.

    Raises PaperNotFound for an unknown id; returns [] while the paper has no
    vector yet (indexing runs in the background; nothing is embedded here).
    """
    try:
        key = parse_arxiv_id(arxiv_id).id
    except InvalidArxivId as exc:
        raise PaperNotFound(str(exc)) from exc
    paper_id = Paper.objects.filter(arxiv_id=key).values_list("id", flat=True).first()
    if paper_id is None:
        raise PaperNotFound(f"no paper {key}")
    vector = get_vector(paper_id)
    if vector is None:
        return []
    found = vector_search(
        vector, limit=limit, filters=filters, exclude={paper_id}, ef=HNSW_EF_SIMILAR
    )
    ids = dict(Paper.objects.filter(id__in=[pk for pk, _ in found]).values_list("id", "arxiv_id"))
    return [
        Hit(paper_id=pk, arxiv_id=ids[pk], score=score, semantic_rank=rank)
        for rank, (pk, score) in enumerate(found, start=1)
        if pk in ids
    ]
