"""Follow buttons for author and category pages: a POST form for signed-in readers
showing whether they follow, nothing for visitors."""

from __future__ import annotations

from django import template
from django.middleware.csrf import get_token
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from paperfeed.recommend.models import FollowedAuthor, FollowedCategory

register = template.Library()


def _button(request, action: str, following: bool, label: str):
    return format_html(
        '<form method="post" action="{}" class="follow-form">'
        '<input type="hidden" name="csrfmiddlewaretoken" value="{}">'
        '<input type="hidden" name="next" value="{}">'
        '<input type="hidden" name="action" value="{}">'
        '<button type="submit" class="button follow" aria-pressed="{}">{}</button></form>',
        action,
        get_token(request),
        request.get_full_path(),
        "unfollow" if following else "follow",
        "true" if following else "false",
        f"Following {label}" if following else f"Follow {label}",
    )


@register.simple_tag(takes_context=True)
def follow_author_button(context, author):
    request = context.get("request")
    if request is None or not request.user.is_authenticated:
        return mark_safe("")
    following = FollowedAuthor.objects.filter(user=request.user, author=author).exists()
    action = reverse("recommend:follow-author", args=[author.pk])
    return _button(request, action, following, "this author")


@register.simple_tag(takes_context=True)
def follow_category_button(context, category):
    request = context.get("request")
    if request is None or not request.user.is_authenticated:
        return mark_safe("")
    following = FollowedCategory.objects.filter(user=request.user, category=category).exists()
    action = reverse("recommend:follow-category", args=[category.code])
    return _button(request, action, following, category.code)
