"""Template tags for the paper page's discussion (comments)."""

from __future__ import annotations

from django import template
from django.urls import reverse
from django.utils.http import urlencode

from paperfeed.accounts.models import display_name
from paperfeed.community.comments import CommentForm, discussion, may_comment
from paperfeed.community.comments import comment_html as render_comment
from paperfeed.community.permissions import is_curator

register = template.Library()


@register.inclusion_tag("community/_comments.html", takes_context=True)
def paper_comments(context, paper):
    """The paper's discussion: its comments (curators also see the hidden ones, marked)
    and the form to post one, or a log-in link for anonymous visitors."""
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


register.filter("comment_html", render_comment)
