"""The papers readers submitted and curators featured on a day, for the top of that
day's feed, each with a note saying who brought it ("submitted by ...")."""

from __future__ import annotations

import datetime as dt

from paperfeed.accounts.models import display_name
from paperfeed.catalogue.models import Paper
from paperfeed.community import listing
from paperfeed.community.models import Submission


def featured_on(day: dt.date) -> list[Paper]:
    """Visible papers submitted or featured on ``day``, submissions first, each with
    ``featured_note`` set for its card. One query on a day with none: the trending
    row records the day a paper is featured on, whichever way it was."""
    papers = list(listing.card_queryset().filter(community__featured_on=day))
    if not papers:
        return []
    submissions = {
        s.paper_id: s
        for s in Submission.objects.filter(paper__in=papers, day=day).select_related(
            "submitted_by", "submitted_by__profile"
        )
    }
    for paper in papers:
        submission = submissions.get(paper.pk)
        paper.featured_note = (
            f"Submitted by {display_name(submission.submitted_by)}"
            if submission
            else "Featured by the curators"
        )
    papers.sort(key=lambda p: (p.pk not in submissions, p.arxiv_id))
    return papers
