"""The "more like this" / "not interested" buttons of a card or paper page: plain POST
forms that htmx swaps in place (``reply=buttons``); without JavaScript the form posts
and the reader comes back to the page. Built in Python: a list renders fifty."""

from __future__ import annotations

from django.middleware.csrf import get_token
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from paperfeed.catalogue.models import Paper
from paperfeed.recommend.models import PaperSignal

_LABELS = [
    ("more", PaperSignal.MORE, "More like this"),
    ("not_interested", PaperSignal.NOT_INTERESTED, "Not interested"),
]


def signal_html(request, paper: Paper, current: str | None, target: str = "") -> SafeString:
    """The two buttons for a signed-in reader (nothing for visitors). ``target``: a CSS
    selector of an element to refresh from the response instead (the For you list)."""
    if request is None or not request.user.is_authenticated:
        return mark_safe("")
    action = reverse("recommend:signal", args=[paper.arxiv_id])
    here = request.get_full_path()
    csrf = get_token(request)
    dom = "signals-" + "".join(c if c.isalnum() else "-" for c in paper.arxiv_id)
    if target:
        swap = format_html(' hx-target="{0}" hx-select="{0}" hx-swap="outerHTML"', target)
        reply = ""
    else:
        swap = format_html(' hx-target="#{}" hx-swap="outerHTML"', dom)
        reply = mark_safe('<input type="hidden" name="reply" value="buttons">')
    forms = []
    for value, kind, label in _LABELS:
        on = current == kind
        forms.append(
            format_html(
                '<form method="post" action="{}" hx-post="{}"{}>'
                '<input type="hidden" name="csrfmiddlewaretoken" value="{}">'
                '<input type="hidden" name="next" value="{}">{}'
                '<input type="hidden" name="action" value="{}">'
                '<button type="submit" class="button signal signal-{}" aria-pressed="{}">'
                "{}</button>"
                "</form>",
                action,
                action,
                swap,
                csrf,
                here,
                reply,
                "clear" if on else value,
                value,
                "true" if on else "false",
                label,
            )
        )
    return format_html('<div class="signal-buttons" id="{}">{}{}</div>', dom, forms[0], forms[1])
