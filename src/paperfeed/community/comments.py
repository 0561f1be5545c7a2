"""Reader comments on paper pages: a discussion under each paper, oldest first.

Signed-in readers post plain text (at most ``Comment.MAX_LENGTH`` characters; no HTML:
it is escaped, line breaks are kept and links made clickable with
``rel="nofollow noopener ugc"``) and delete their own comments; curators hide and
unhide them (``paperfeed.community.curation``). Every write moves the paper's
community state (a receiver on saved and deleted comments, see ``receivers``), so the
page cache, keyed by the community revision, never serves an anonymous reader a
discussion that changed.
"""

from __future__ import annotations

from typing import Protocol, cast

from django import forms
from django.contrib.auth.views import redirect_to_login
from django.http import HttpResponseForbidden
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import normalize_newlines
from django.views.decorators.http import require_POST

from paperfeed.accounts.models import Profile, display_name
from paperfeed.accounts.rates import limit
from paperfeed.catalogue.models import Paper
from paperfeed.community.models import Comment
from paperfeed.textlinks import linkify


class _BodyField(forms.CharField):
    """Line breaks count as one character, as in the browser's textarea: browsers
    send them as CRLF, which would otherwise push a full textarea over the limit."""

    def to_python(self, value):
        return normalize_newlines(super().to_python(value))


class CommentForm(forms.Form):
    body = _BodyField(
        label="Add a comment",
        max_length=Comment.MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={
            "required": "Write something before posting.",
            "max_length": (
                f"A comment can be at most {Comment.MAX_LENGTH:,} characters; "
                "this one has %(show_value)d."
            ),
        },
    )


def comment_html(body: str) -> SafeString:
    """The comment's text as HTML: escaped, links clickable, line breaks kept."""
    return mark_safe(linkify(body).replace("\n", "<br>"))  # noqa: S308 (escaped by linkify)


def discussion(paper: Paper, *, curator: bool = False) -> list[Comment]:
    """The paper's comments, oldest first: the visible ones, or all for a curator.
    One query (with the authors' profiles, for their display names)."""
    comments = Comment.objects.filter(paper=paper).select_related("author__profile")
    if curator:
        comments = comments.select_related("hidden_by__profile")
    else:
        comments = comments.filter(hidden=False)
    rows = list(comments.order_by("created_at", "pk"))
    for comment in rows:
        cast(ShownComment, comment).author_name = display_name(comment.author)
    return rows


class ShownComment(Protocol):
    """What ``discussion`` adds to each comment for ``_comments.html``: a plain
    attribute the model does not declare."""

    author_name: str


def may_comment(user) -> bool:
    """Signed in, active and not banned (a ban deactivates the account too; the
    profile flag is checked as well, for a ban set by hand in the admin)."""
    return bool(
        user.is_authenticated
        and user.is_active
        and not Profile.objects.filter(user=user, banned=True).exists()
    )


def _paper_url(paper: Paper, anchor: str = "comments") -> str:
    return f"{reverse('web:paper', args=[paper.arxiv_id])}#{anchor}"


@require_POST
def post_comment(request, arxiv_id: str):
    paper = get_object_or_404(Paper, arxiv_id=arxiv_id)
    if not request.user.is_authenticated:
        return redirect_to_login(_paper_url(paper))
    if not may_comment(request.user):
        return HttpResponseForbidden("This account cannot comment.")
    if (response := limit(request, "comment")) is not None:
        return response
    form = CommentForm(request.POST)
    if not form.is_valid():
        return render(
            request, "community/comment_form.html", {"paper": paper, "form": form}, status=400
        )
    comment = Comment.objects.create(
        paper=paper, author=request.user, body=form.cleaned_data["body"]
    )
    return redirect(_paper_url(paper, f"comment-{comment.pk}"))


@require_POST
def delete_comment(request, pk: int):
    """Authors delete their own comments (curators hide, they do not delete)."""
    comment = get_object_or_404(Comment.objects.select_related("paper"), pk=pk)
    if not request.user.is_authenticated:
        return redirect_to_login(_paper_url(comment.paper))
    if comment.author_id != request.user.pk:
        return HttpResponseForbidden("Only its author can delete a comment.")
    if (response := limit(request, "comment-delete")) is not None:
        return response
    comment.delete()
    return redirect(_paper_url(comment.paper))
