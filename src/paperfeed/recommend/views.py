"""The reader's side of the recommender: signal buttons (htmx in place, or plain forms),
following, the cold start (claim your papers, paste ids, upload a library), and the
page showing everything the recommender knows, with its JSON export.

Every view acts on the signed-in reader's own data only; every write is a rate-limited,
CSRF-protected POST.
"""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Count
from django.http import HttpResponse, HttpResponseBadRequest, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from paperfeed.accounts.rates import limit
from paperfeed.catalogue.models import Author, Category, Paper
from paperfeed.community.permissions import reader_required
from paperfeed.recommend import coldstart, signals, tokens
from paperfeed.recommend.buttons import signal_html
from paperfeed.recommend.knowledge import export, knowledge
from paperfeed.recommend.models import PaperSignal

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
SIGNAL_ACTIONS = {"more": PaperSignal.MORE, "not_interested": PaperSignal.NOT_INTERESTED}


def _back(request, default: str) -> str:
    back = request.POST.get("next") or ""
    if url_has_allowed_host_and_scheme(back, {request.get_host()}, request.is_secure()):
        return back
    return default


@require_POST
@reader_required
def paper_signal(request, arxiv_id: str):
    """``action``: ``more``, ``not_interested`` or ``clear``. htmx asking for the
    buttons (``reply=buttons``) gets them back; anything else goes back to ``next``
    (htmx follows that redirect, so a list can swap itself for its new order)."""
    paper = get_object_or_404(Paper, arxiv_id=arxiv_id)
    if (response := limit(request, "signal")) is not None:
        return response
    action = request.POST.get("action")
    if action == "clear":
        signals.set_signal(request.user, paper, None)
    elif action in SIGNAL_ACTIONS:
        signals.set_signal(request.user, paper, SIGNAL_ACTIONS[action])
    else:
        return HttpResponseBadRequest("action must be more, not_interested or clear")
    if request.headers.get("HX-Request") and request.POST.get("reply") == "buttons":
        return HttpResponse(signal_html(request, paper, signals.signal_of(request.user, paper)))
    return redirect(_back(request, reverse("web:paper", args=[paper.arxiv_id])))


@require_POST
@reader_required
def follow_author(request, pk: int):
    author = get_object_or_404(Author, pk=pk)
    if (response := limit(request, "signal")) is not None:
        return response
    signals.follow_author(request.user, author, request.POST.get("action") != "unfollow")
    return redirect(_back(request, reverse("web:author-id", args=[author.pk])))


@require_POST
@reader_required
def follow_category(request, code: str):
    category = get_object_or_404(Category, code=code)
    if (response := limit(request, "signal")) is not None:
        return response
    signals.follow_category(request.user, category, request.POST.get("action") != "unfollow")
    return redirect(_back(request, reverse("web:category", args=[category.code])))


@reader_required
def start(request):
    """The cold start: find yourself as an author and claim your papers, or paste arXiv
    ids, or upload a BibTeX / Zotero export."""
    query = (request.GET.get("author") or "").strip()[:200]
    authors = []
    if query:
        authors = list(
            Author.objects.filter(name__icontains=query)
            .annotate(count=Count("authorships"))
            .order_by("-count", "name")[:10]
        )
        for author in authors:
            author.paper_list = list(
                Paper.objects.filter(authorships__author=author).order_by("-announced")[:50]
            )
    claimed = set(
        PaperSignal.objects.filter(user=request.user, kind=PaperSignal.CLAIMED).values_list(
            "paper_id", flat=True
        )
    )
    return render(
        request,
        "recommend/start.html",
        {"query": query, "authors": authors, "claimed": claimed},
    )


@require_POST
@reader_required
def claim(request):
    """Claim papers: checked boxes (``paper`` ids), pasted ids (``ids``) or a file."""
    if (response := limit(request, "signal")) is not None:
        return response
    ids = coldstart.ids_in_text(" ".join(request.POST.getlist("paper")))
    ids += coldstart.ids_in_text(request.POST.get("ids", ""))
    without: list[str] = []
    upload = request.FILES.get("library")
    if upload is not None:
        if upload.size > MAX_UPLOAD_BYTES:
            messages.error(request, f"{upload.name}: larger than 5 MB")
            return redirect("recommend:start")
        text = upload.read().decode("utf-8", errors="replace")
        try:
            more, without = coldstart.read_upload(upload.name, text)
        except coldstart.ImportFormatError as exc:
            messages.error(request, f"{upload.name}: {exc}")
            return redirect("recommend:start")
        ids += more
    try:
        found = coldstart.match_ids(list(dict.fromkeys(ids)), without)
    except coldstart.ImportFormatError as exc:
        messages.error(request, str(exc))
        return redirect("recommend:start")
    added = signals.claim(request.user, found.papers)
    messages.success(request, f"{len(found.papers)} papers marked as yours ({added} new).")
    if found.unknown:
        messages.warning(
            request,
            f"Not in this catalogue (nothing else was lost): {', '.join(found.unknown)}",
        )
    if found.without_id:
        messages.info(request, f"Entries without an arXiv id: {', '.join(found.without_id[:20])}")
    return redirect(_back(request, reverse("recommend:start")))


@reader_required
def profile_page(request):
    return render(
        request,
        "recommend/profile.html",
        {
            "known": knowledge(request.user),
            "feed_url": request.session.pop("paperfeed_feed_url", None),
            "api_token": request.session.pop("paperfeed_api_token", None),
            "has_feed": tokens.has_token(request.user, tokens.FEED),
            "has_api": tokens.has_token(request.user, tokens.API),
        },
    )


@require_GET
@reader_required
def profile_export(request):
    response = JsonResponse(export(request.user), json_dumps_params={"indent": 2})
    response["Content-Disposition"] = 'attachment; filename="paperfeed-recommender.json"'
    response["Cache-Control"] = "private, no-store"
    return response


@require_POST
@reader_required
def forget(request):
    """Remove one thing the recommender knows: ``what`` is ``signal``, ``author`` or
    ``category``; ``key`` names it."""
    if (response := limit(request, "signal")) is not None:
        return response
    what, key = request.POST.get("what"), request.POST.get("key", "")
    if what == "signal":
        signals.forget_signal(request.user, key)
    elif what == "author" and key.isdigit():
        signals.follow_author(request.user, int(key), on=False)
    elif what == "category":
        signals.follow_category(request.user, key, on=False)
    else:
        return HttpResponseBadRequest("what must be signal, author or category")
    return redirect(_back(request, reverse("recommend:profile")))


@require_POST
@reader_required
def token(request, purpose: str):
    """Create (replacing the old one) or revoke the feed or API token."""
    if purpose not in (tokens.FEED, tokens.API):
        return HttpResponseBadRequest("unknown token")
    if (response := limit(request, "account")) is not None:
        return response
    if request.POST.get("action") == "revoke":
        tokens.revoke(request.user, purpose)
        messages.success(request, "Revoked: the old link or token no longer works.")
    else:
        raw = tokens.issue(request.user, purpose)
        if purpose == tokens.FEED:
            url = request.build_absolute_uri(reverse("recommend:feed", args=[raw]))
            request.session["paperfeed_feed_url"] = url
        else:
            request.session["paperfeed_api_token"] = raw
    return redirect("recommend:profile")
