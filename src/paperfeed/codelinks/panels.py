"""The code panel of the paper page: the paper's repositories, the star history of
its GitHub one, and (for signed-in readers) a form to add one. Registered in
``CodeLinksConfig.ready`` (see ``paperfeed.panels``)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.http import HttpRequest
from django.utils.safestring import mark_safe

from paperfeed import panels
from paperfeed.catalogue.models import Paper
from paperfeed.codelinks.models import CodeLink
from paperfeed.codelinks.stars import sparkline


def code_panel(request: HttpRequest, paper: Paper, page: Mapping[str, Any]) -> dict | None:
    links = getattr(paper, "prefetched_code_links", None)  # card data, when loaded
    if links is None:
        links = list(
            CodeLink.objects.filter(paper=paper, repository__missing=False)
            .select_related("repository")
            .order_by("pk")
        )
    if not links and not page["signed_in"]:
        return None
    spark = ""
    for item in links:
        if item.repository.host == "github":
            spark = sparkline(item.repository)
            if spark:
                break
    return {
        "links": links,
        "sparkline": mark_safe(spark),  # noqa: S308 (numbers and escaped text only)
    }


def register() -> None:
    panels.PAPER.register(
        panels.Panel("codelinks.code", "codelinks/_code_panel.html", code_panel, order=20)
    )
