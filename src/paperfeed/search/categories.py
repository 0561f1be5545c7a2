"""Rows derived from a paper that hold its categories, kept equal to the catalogue's.

Two kinds of row hold them so a category filter is matched on the row itself rather
than by a join tested row by row: PostgreSQL's keyword rows (as lexemes,
``backends.postgres.category_terms``) and every embedding row
(``PaperEmbedding.categories``, the list :func:`codes_and_archives` makes). They
change three ways, each handled here or beside it:

- an import writes papers and their categories in one batch: the keyword rows are
  written with them (``keyword.on_papers_written``) and the embedding rows of
  papers already embedded get the batch's categories (:func:`on_papers_written`),
  both inside the import's transaction;
- a new embedding is written with its paper's categories (``indexing.embed_papers``);
- categories changed one by one (the admin) fire ``m2m_changed``:
  :func:`on_categories_changed` rewrites both kinds of row for the papers touched.

Only rows whose list differs are written: on PostgreSQL an embedding row written
again is a new entry in each HNSW index.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence

from paperfeed.batches import slices
from paperfeed.catalogue.models import Paper
from paperfeed.search import keyword
from paperfeed.search.filters import codes_and_archives
from paperfeed.search.models import PaperEmbedding


def papers_categories(paper_ids: Sequence[int]) -> dict[int, list[str]]:
    """Each paper's :func:`codes_and_archives`, from the catalogue (papers without a
    category map to ``[]``)."""
    codes: dict[int, list[str]] = defaultdict(list)
    for part in slices(list(paper_ids)):
        for pk, code in Paper.categories.through.objects.filter(paper_id__in=part).values_list(
            "paper_id", "category_id"
        ):
            codes[pk].append(code)
    return {pk: codes_and_archives(codes.get(pk, ())) for pk in paper_ids}


def write_embedding_categories(wanted: Mapping[int, list[str]]) -> int:
    """Give these papers' embedding rows (those that exist) these lists, writing only
    the rows that differ; returns how many were written."""
    stale: list[PaperEmbedding] = []
    for part in slices(list(wanted)):
        for row in PaperEmbedding.objects.filter(paper_id__in=part).only("paper_id", "categories"):
            if row.categories != wanted[row.paper_id]:
                row.categories = wanted[row.paper_id]
                stale.append(row)
    PaperEmbedding.objects.bulk_update(stale, ["categories"], batch_size=500)
    return len(stale)


def refresh_embedding_categories(paper_ids: Iterable[int]) -> int:
    """Bring these papers' embedding rows' categories up to the catalogue's."""
    return write_embedding_categories(papers_categories(sorted(set(paper_ids))))


def on_papers_written(sender, records=(), **kwargs) -> None:
    """``papers_written`` receiver: papers already embedded take the categories the
    import just stored (new papers have no embedding row yet)."""
    write_embedding_categories({pk: codes_and_archives(r.categories) for pk, r in records})


def on_categories_changed(sender, instance, action, reverse, pk_set, **kwargs) -> None:
    """``m2m_changed`` receiver for papers' categories changed one by one: the
    touched papers' keyword and embedding rows are rewritten."""
    if action == "pre_clear" and reverse:  # a category losing all its papers
        instance._paperfeed_cleared = list(instance.papers.values_list("id", flat=True))
        return
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    if not reverse:
        touched: list[int] = [instance.pk]
    elif action == "post_clear":
        touched = getattr(instance, "_paperfeed_cleared", [])
    else:
        touched = list(pk_set or [])
    keyword.index_keyword(touched)
    refresh_embedding_categories(touched)
