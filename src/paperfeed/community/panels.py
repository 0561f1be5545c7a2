"""The community's panels on the paper page (save to a collection, curation) and
the profile page (the reader's collections and submissions), registered in
``CommunityConfig.ready`` (see ``paperfeed.panels``)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.http import HttpRequest

from paperfeed import panels
from paperfeed.catalogue.models import Paper
from paperfeed.community.models import Collection, Submission
from paperfeed.community.submissions import submission_of


def save_panel(request: HttpRequest, paper: Paper, page: Mapping[str, Any]) -> dict | None:
    """Signed-in readers: the form that saves the paper to one of their collections."""
    if not page["signed_in"]:
        return None
    user = request.user
    if not user.is_authenticated:
        return None
    return {
        "collections": list(Collection.objects.filter(owner=user)),
        "saved_in": set(
            Collection.objects.filter(owner=user, items__paper=paper).values_list("pk", flat=True)
        ),
    }


def curate_panel(request: HttpRequest, paper: Paper, page: Mapping[str, Any]) -> dict | None:
    """Curators: feature, hide or show again, ban the submitter."""
    if not page["curator"]:
        return None
    row = getattr(paper, "community", None)  # the state row, loaded with the paper
    return {"submission": submission_of(paper), "hidden": bool(row and row.hidden)}


def profile_panel(request: HttpRequest, user: Any, page: Mapping[str, Any]) -> dict:
    """The reader's collections and latest submissions."""
    return {
        "collections": Collection.objects.filter(owner=user),
        "submissions": Submission.objects.filter(submitted_by=user).select_related("paper")[:50],
    }


def register() -> None:
    panels.PAPER.register(
        panels.Panel("community.save", "community/_save_panel.html", save_panel, order=30)
    )
    panels.PAPER.register(
        panels.Panel("community.curate", "community/_curate_panel.html", curate_panel, order=40)
    )
    panels.PROFILE.register(
        panels.Panel("community.profile", "community/_profile_panel.html", profile_panel, order=10)
    )
