"""Template tags for the community parts of cards and paper pages."""

from __future__ import annotations

from django import template
from django.core.exceptions import ObjectDoesNotExist
from django.utils.safestring import mark_safe

register = template.Library()


def paper_votes(paper) -> int:  # type: ignore[no-untyped-def]
    parts = getattr(paper, "trending", None)
    if parts is not None:
        return parts.votes
    try:
        return paper.trending_score.votes
    except ObjectDoesNotExist:
        return 0


@register.inclusion_tag("community/_paper_panel.html", takes_context=True)
def paper_panel(context, paper):  # type: ignore[no-untyped-def]
    """Votes, the score's parts, submitted by, code and stars, collections, curation."""
    from paperfeed.accounts.models import display_name
    from paperfeed.codelinks.models import CodeLink
    from paperfeed.codelinks.stars import sparkline
    from paperfeed.community.models import Collection, Submission
    from paperfeed.community.permissions import is_curator
    from paperfeed.community.votes import vote_html
    from paperfeed.trending.models import TrendingScore
    from paperfeed.trending.score import parts_for

    request = context.get("request")
    user = getattr(request, "user", None)
    from paperfeed.web.queries import day_nav

    parts = parts_for(paper, last_day=day_nav(None).latest)
    submission = (
        Submission.objects.filter(paper=paper).select_related("submitted_by__profile").first()
    )
    links = getattr(paper, "prefetched_code_links", None)  # card data, when loaded
    if links is None:
        links = list(
            CodeLink.objects.filter(paper=paper, repository__missing=False)
            .select_related("repository")
            .order_by("pk")
        )
    spark = ""
    for item in links:
        if item.repository.host == "github":
            spark = sparkline(item.repository)
            if spark:
                break
    signed_in = bool(user and user.is_authenticated)
    curator = is_curator(user)
    hidden = TrendingScore.objects.filter(paper=paper, hidden=True).exists() if curator else False
    return {
        "paper": paper,
        "parts": parts,
        "submission": submission,
        "submitted_by": display_name(submission.submitted_by) if submission else "",
        "links": links,
        "sparkline": mark_safe(spark),  # noqa: S308 (numbers and escaped text only)
        "collections": list(Collection.objects.filter(owner=user)) if signed_in else [],
        "saved_in": set(
            Collection.objects.filter(owner=user, items__paper=paper).values_list("pk", flat=True)
        )
        if signed_in
        else set(),
        "signed_in": signed_in,
        "curator": curator,
        "hidden": hidden,
        "request": request,
        "user": user,
        "csrf_token": context.get("csrf_token"),
        "vote_html": vote_html(
            request, paper, parts.votes, signed_in and paper.votes.filter(user=user).exists()
        ),
    }


@register.inclusion_tag("community/_comments.html", takes_context=True)
def paper_comments(context, paper):  # type: ignore[no-untyped-def]
    """The paper's discussion: its comments (curators also see the hidden ones, marked)
    and the form to post one, or a log-in link for anonymous visitors."""
    from django.urls import reverse
    from django.utils.http import urlencode

    from paperfeed.accounts.models import display_name
    from paperfeed.community.comments import CommentForm, discussion, may_comment
    from paperfeed.community.permissions import is_curator

    request = context.get("request")
    user = getattr(request, "user", None)
    signed_in = bool(user and user.is_authenticated)
    curator = is_curator(user)
    comments = discussion(paper, curator=curator)
    for comment in comments:
        comment.hidden_by_name = display_name(comment.hidden_by) if comment.hidden_by_id else ""
    here = f"{reverse('web:paper', args=[paper.arxiv_id])}#comments"
    return {
        "paper": paper,
        "comments": comments,
        "visible": sum(not c.hidden for c in comments),
        "signed_in": signed_in,
        "can_post": signed_in and may_comment(user),
        "curator": curator,
        "user_id": user.pk if signed_in else None,
        "form": CommentForm(),
        "login_url": f"{reverse('accounts:login')}?{urlencode({'next': here})}",
        "csrf_token": context.get("csrf_token"),
    }


@register.filter
def comment_html(body: str):  # type: ignore[no-untyped-def]
    from paperfeed.community.comments import comment_html as render

    return render(body)
