"""Curators feature a paper on a day, hide (or unhide) a paper or a reader's comment,
ban (or unban) an account. Each action writes a CurationLog row with who and when,
in the same transaction as the change it records."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.http import HttpResponseBadRequest, HttpResponseForbidden
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from paperfeed.accounts.models import Profile
from paperfeed.accounts.rates import limit
from paperfeed.accounts.sessions import end_sessions
from paperfeed.catalogue.models import Paper
from paperfeed.community.models import Comment, CurationLog, Feature, Vote
from paperfeed.community.permissions import curator_required, is_curator
from paperfeed.community.state import changed, recount_votes, refresh_feature, set_hidden


def _log(actor, action: str, **fields) -> CurationLog:
    return CurationLog.objects.create(
        actor=actor,
        actor_name=actor.get_username() if actor else "system",
        action=action,
        **fields,
    )


def feature(actor, paper: Paper, day: dt.date, note: str = "") -> bool:
    with transaction.atomic():
        try:
            with transaction.atomic():
                Feature.objects.create(paper=paper, day=day, curator=actor)
        except IntegrityError:
            return False
        refresh_feature(paper.pk)
        _log(actor, CurationLog.FEATURE, paper=paper, day=day, note=note)
    return True


def hide(actor, paper: Paper, hidden: bool = True, note: str = "") -> None:
    with transaction.atomic():
        set_hidden(paper.pk, hidden)
        _log(actor, CurationLog.HIDE if hidden else CurationLog.UNHIDE, paper=paper, note=note)


def hide_comment(actor, comment: Comment, hidden: bool = True, note: str = "") -> bool:
    """Hide (or unhide) a comment from readers; True when this call changed it (a
    second click changes nothing and logs nothing)."""
    with transaction.atomic():
        updated = Comment.objects.filter(pk=comment.pk, hidden=not hidden).update(
            hidden=hidden,
            hidden_by=actor if hidden else None,
            hidden_at=timezone.now() if hidden else None,
        )
        if updated:
            changed([comment.paper_id])
            _log(
                actor,
                CurationLog.HIDE_COMMENT if hidden else CurationLog.UNHIDE_COMMENT,
                paper_id=comment.paper_id,
                target_user_id=comment.author_id,
                comment=comment,
                note=note,
            )
    return bool(updated)


def ban(actor, user: User, banned: bool = True, note: str = "") -> None:
    """Ban: the account cannot log in, its sessions end, its votes stop counting and
    its comments are hidden (hidden by this curator; unbanning leaves them hidden, to
    be unhidden one by one)."""
    with transaction.atomic():
        profile, _ = Profile.objects.get_or_create(user=user)
        profile.banned = banned
        profile.save(update_fields=["banned"])
        user.is_active = not banned
        user.save(update_fields=["is_active"])
        if banned:
            voted = list(Vote.objects.filter(user=user).values_list("paper_id", flat=True))
            Vote.objects.filter(user=user).delete()
            recount_votes(voted)
            # Its sessions stop working at once anyway (is_active=False: ModelBackend's
            # get_user() answers None, so the next request is anonymous); deleting them
            # is one indexed DELETE, however many sessions the site holds.
            end_sessions(user)
            shown = Comment.objects.filter(author=user, hidden=False)
            papers = sorted(set(shown.values_list("paper_id", flat=True)))
            shown.update(hidden=True, hidden_by=actor, hidden_at=timezone.now())
            changed(papers)
        _log(actor, CurationLog.BAN if banned else CurationLog.UNBAN, target_user=user, note=note)


def may_ban(actor, target) -> str | None:
    """Why ``actor`` may not ban (or unban) ``target``, or None when it may. Curators
    act on readers only; another curator, staff or an administrator can be banned by a
    superuser alone, so one curator's account cannot silence the others."""
    if target == actor:
        return "You cannot ban yourself."
    if target.is_superuser:
        return "Administrators cannot be banned here."
    if (target.is_staff or is_curator(target)) and not actor.is_superuser:
        return "Only an administrator can ban a curator or staff."
    return None


@require_POST
@curator_required
def curate_paper(request, arxiv_id: str):
    paper = get_object_or_404(Paper, arxiv_id=arxiv_id)
    if (response := limit(request, "curate")) is not None:
        return response
    action = request.POST.get("action")
    note = request.POST.get("note", "")[:500]
    if action == "feature":
        try:
            day = dt.date.fromisoformat(
                request.POST.get("day") or timezone.now().date().isoformat()
            )
        except ValueError:
            return HttpResponseBadRequest("day must be YYYY-MM-DD")
        feature(request.user, paper, day, note)
    elif action in ("hide", "unhide"):
        hide(request.user, paper, action == "hide", note)
    else:
        return HttpResponseBadRequest("action must be feature, hide or unhide")
    return redirect("web:paper", arxiv_id=paper.arxiv_id)


@require_POST
@curator_required
def curate_user(request):
    """Ban or unban the account named by ``user_id`` or ``email``."""
    if request.POST.get("user_id", "").isdigit():
        target = get_object_or_404(User, pk=int(request.POST["user_id"]))
    else:
        target = get_object_or_404(User, username=request.POST.get("email", "").strip().lower())
    if (response := limit(request, "curate")) is not None:
        return response
    action = request.POST.get("action")
    if action not in ("ban", "unban"):
        return HttpResponseBadRequest("action must be ban or unban")
    if (refusal := may_ban(request.user, target)) is not None:
        return HttpResponseForbidden(refusal)
    ban(request.user, target, action == "ban", request.POST.get("note", "")[:500])
    return redirect("community:curation-log")


@require_POST
@curator_required
def curate_comment(request, pk: int):
    comment = get_object_or_404(Comment.objects.select_related("paper"), pk=pk)
    if (response := limit(request, "curate")) is not None:
        return response
    action = request.POST.get("action")
    if action not in ("hide", "unhide"):
        return HttpResponseBadRequest("action must be hide or unhide")
    hide_comment(request.user, comment, action == "hide", request.POST.get("note", "")[:500])
    return redirect(f"{reverse('web:paper', args=[comment.paper.arxiv_id])}#comment-{comment.pk}")


@never_cache
@curator_required
def curation_log(request):
    entries = CurationLog.objects.select_related("paper", "target_user", "comment")[:200]
    return render(request, "community/curation_log.html", {"entries": entries})
