"""Paper cards: the repeated part of every list page, rendered in one Jinja2 pass
(``templates/web/card.jinja``; see ``paperfeed.web.jinja`` for why Jinja2). The page
chrome stays in Django templates, which call ``{% cards papers %}``."""

from __future__ import annotations

from collections.abc import Iterable

from django.http import HttpRequest
from django.utils.safestring import SafeString, mark_safe

from paperfeed.catalogue.models import Paper
from paperfeed.community.state import votes_of
from paperfeed.memo import PerObject
from paperfeed.recommend.buttons import signal_html
from paperfeed.recommend.signals import signals_of
from paperfeed.web.jinja import environment
from paperfeed.web.votes import button_context, voted_ids


def render_cards(
    request: HttpRequest | None,
    papers: Iterable[Paper],
    level: int = 3,
    wrap: str = "",
    signals: bool = True,
) -> SafeString:
    """The cards of ``papers`` in order, each optionally wrapped in ``<wrap>`` (``li``
    for ranked lists). Vote buttons are per reader, so they come from the request; so
    do a signed-in reader's "More like this" / "Not interested" buttons (``signals``;
    a page that draws its own leaves them out)."""
    html = (
        environment()
        .get_template("card.jinja")
        .render(
            papers=papers,
            level=level,
            wrap=wrap,
            votes_of=votes_of,
            voted=voted_ids(request) if request is not None else set(),
            buttons=button_context(request),
            signal_buttons=_signal_buttons(request) if signals else None,
        )
    )
    return mark_safe(html)  # noqa: S308 (autoescaped Jinja2 output)


def _signal_buttons(request: HttpRequest | None):
    """The card's signal buttons for a signed-in reader (None for visitors), with the
    reader's signals read once per request, not once per card."""
    if request is None or not request.user.is_authenticated:
        return None
    kinds = _signals(request)
    return lambda paper: signal_html(request, paper, kinds.get(paper.pk))


_signals: PerObject[HttpRequest, dict[int, str]] = PerObject(
    "_paperfeed_signals", lambda request: signals_of(request.user)
)


def render_rows(papers: Iterable[Paper], level: int = 3) -> SafeString:
    """The compact rows of the list view (``row.jinja``): title, first authors,
    category and what ranked the paper, for scanning a day's titles. Rows carry no
    per-reader parts, so they need no request."""
    html = environment().get_template("row.jinja").render(papers=papers, level=level)
    return mark_safe(html)  # noqa: S308 (autoescaped Jinja2 output)
