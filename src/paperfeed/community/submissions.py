"""A signed-in reader submits a recent paper by arXiv id or URL; it is featured on
the day of the submission (it counts for that day's trending) with "submitted by".

Papers not in the catalogue are fetched from the arXiv API (settings.ARXIV_API_URL)
and ingested like any other. Only recent papers are accepted: first version (or
announcement) within ``PAPERFEED_SUBMISSION_MAX_AGE_DAYS`` days (default 14).
"""

from __future__ import annotations

import datetime as dt
import logging

from django import forms
from django.conf import settings
from django.db import IntegrityError, transaction
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from paperfeed.accounts.rates import limit
from paperfeed.catalogue.ingest import Ingestor
from paperfeed.catalogue.models import Paper
from paperfeed.community.models import Submission
from paperfeed.community.permissions import reader_required
from paperfeed.community.state import refresh_feature, set_featured
from paperfeed.memo import PerObject
from paperfeed.sources.arxiv_api import fetch_ids
from paperfeed.sources.http import PoliteClient
from paperfeed.sources.ids import InvalidArxivId, parse_arxiv_id
from paperfeed.sources.problems import SourceError
from paperfeed.sources.records import PaperRecord

log = logging.getLogger(__name__)


class SubmissionRefused(Exception):
    pass


def max_age() -> dt.timedelta:
    return dt.timedelta(days=int(settings.PAPERFEED_SUBMISSION_MAX_AGE_DAYS))


def fetch_paper(arxiv_id: str) -> Paper | None:
    """The paper from the catalogue, or fetched from the arXiv API into it."""
    paper = Paper.objects.filter(arxiv_id=arxiv_id).first()
    if paper is not None:
        return paper
    with PoliteClient.from_settings(max_retries=1, timeout=20.0) as client:
        records = fetch_ids(client, settings.ARXIV_API_URL, [arxiv_id])
    papers = [r for r in records if isinstance(r, PaperRecord) and r.arxiv_id == arxiv_id]
    if not papers:
        return None
    Ingestor().ingest(papers)
    return Paper.objects.filter(arxiv_id=arxiv_id).first()


def paper_date(paper: Paper) -> dt.date | None:
    if paper.submitted:
        return paper.submitted.date()
    return paper.announced


def submit(user, text: str, now: dt.datetime | None = None) -> Submission:
    """Submit the paper named by ``text`` (id or arxiv.org URL); raises SubmissionRefused."""
    now = now or timezone.now()
    try:
        parsed = parse_arxiv_id(text.strip())
    except InvalidArxivId:
        raise SubmissionRefused("That is not an arXiv id or arxiv.org link.") from None
    try:
        paper = fetch_paper(parsed.id)
    except SourceError as exc:
        log.warning("submission fetch failed: %s", exc)
        raise SubmissionRefused("arXiv could not be reached; try again later.") from None
    if paper is None:
        raise SubmissionRefused(f"arXiv does not know the paper {parsed.id}.")
    existing = Submission.objects.filter(paper=paper).select_related("submitted_by").first()
    if existing is not None:
        raise SubmissionRefused("This paper was already submitted.")
    published = paper_date(paper)
    if published is None or published < (now - max_age()).date():
        days = max_age().days
        raise SubmissionRefused(f"Only papers from the last {days} days can be submitted.")
    try:
        with transaction.atomic():
            submission = Submission.objects.create(paper=paper, submitted_by=user, day=now.date())
            set_featured(paper.pk, submission.day)
    except IntegrityError:
        raise SubmissionRefused("This paper was already submitted.") from None
    return submission


__all__ = ["SubmissionRefused", "refresh_feature", "submission_of", "submit", "submit_view"]


def submission_of(paper: Paper) -> Submission | None:
    """The paper's submission with its submitter's profile, or None (kept on the
    paper: the score and curation panels of one page both show it)."""
    return _submission(paper)


_submission: PerObject[Paper, Submission | None] = PerObject(
    "_paperfeed_submission",
    lambda paper: (
        Submission.objects.filter(paper=paper).select_related("submitted_by__profile").first()
    ),
)


class SubmitForm(forms.Form):
    paper = forms.CharField(
        label="arXiv id or link",
        max_length=200,
        widget=forms.TextInput(attrs={"placeholder": "2503.11677 or https://arxiv.org/abs/…"}),
    )


@never_cache
@reader_required
@require_http_methods(["GET", "POST"])
def submit_view(request):
    form = SubmitForm(request.POST or None)
    if request.method == "POST":
        if (response := limit(request, "submit")) is not None:
            return response
        if form.is_valid():
            try:
                submission = submit(request.user, form.cleaned_data["paper"])
            except SubmissionRefused as exc:
                form.add_error("paper", str(exc))
            else:
                return redirect("web:paper", arxiv_id=submission.paper.arxiv_id)
    status = 400 if form.errors else 200
    days = max_age().days
    return render(request, "community/submit.html", {"form": form, "days": days}, status=status)
