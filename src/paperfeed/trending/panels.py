"""The score panel of the paper page: the reader's vote button, the trending
score's parts (votes, star growth, age) and who submitted the paper. Registered in
``TrendingConfig.ready`` (see ``paperfeed.panels``)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.http import HttpRequest

from paperfeed import panels
from paperfeed.accounts.models import display_name
from paperfeed.catalogue.days import day_nav
from paperfeed.catalogue.models import Paper
from paperfeed.community.submissions import submission_of
from paperfeed.trending.score import parts_for


def score_panel(request: HttpRequest, paper: Paper, page: Mapping[str, Any]) -> dict:
    submission = submission_of(paper)
    return {
        "parts": parts_for(paper, last_day=day_nav(None).latest),
        "submission": submission,
        "submitted_by": display_name(submission.submitted_by) if submission else "",
    }


def register() -> None:
    panels.PAPER.register(
        panels.Panel("trending.score", "trending/_score_panel.html", score_panel, order=10)
    )
