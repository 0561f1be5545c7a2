"""Papers (loaded with ``paperfeed.community.listing.card_queryset``) as API dicts."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from paperfeed.catalogue.models import Paper
from paperfeed.community.listing import as_card


def paper_dict(paper: Paper, request=None) -> dict[str, Any]:
    url = reverse("web:paper", args=[paper.arxiv_id])
    card = as_card(paper)
    return {
        "arxiv_id": paper.arxiv_id,
        "title": paper.title,
        "authors": [a.name for a in card.author_refs],
        "abstract": paper.abstract,
        "primary_category": paper.primary_category_id,
        "categories": [c.code for c in card.category_refs],
        "announced": paper.announced,
        "submitted": paper.submitted,
        "updated": paper.updated,
        "latest_version": paper.latest_version,
        "comments": paper.comments,
        "journal_ref": paper.journal_ref,
        "doi": paper.doi,
        "abs_url": paper.abs_url,
        "pdf_url": paper.pdf_url,
        "url": request.build_absolute_uri(url) if request is not None else url,
    }


def paper_detail_dict(paper: Paper, request=None) -> dict[str, Any]:
    return {
        **paper_dict(paper, request),
        "report_no": paper.report_no,
        "license": paper.license,
        "versions": [
            {"version": v.number, "submitted": v.submitted, "size": v.size}
            for v in paper.versions.all()
        ],
    }
