"""Pages assembled from panels that apps contribute.

A page that shows parts owned by several apps (the paper page: score, code,
collections, curation; the profile page: a reader's collections and submissions)
does not reach into those apps. Each app registers its panels in its
``AppConfig.ready()``; the page walks them in order and renders each one's Django
template with the context the panel computes. This module imports nothing of
paperfeed, so every app (and the web pages above them) can import it.

Registering a panel (e.g. in ``recommend/apps.py``)::

    from paperfeed import panels

    def ready(self) -> None:
        from paperfeed.recommend.views import because_panel   # needs models loaded

        panels.PAPER.register(
            panels.Panel("recommend.because", "recommend/_because.html", because_panel, order=50)
        )

``because_panel(request, paper, page)`` returns the template's context (a dict), or
``None`` to leave the panel out for this request. ``page`` is what the page gives
every panel; on the paper page that is ``paper``, ``request``, ``user``,
``signed_in``, ``curator`` (bool), ``csrf_token`` and ``vote_button`` (the reader's
vote button, HTML). The panel's own context is laid over it.

Orders in use on ``PAPER``: 10 trending (votes, score, submitted by), 20 code links,
30 save to a collection, 40 curation, 50 recommender signals (more like this / not
interested). On ``PROFILE``: 10 community.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe

PanelContext = Callable[[HttpRequest, Any, Mapping[str, Any]], "dict[str, Any] | None"]


@dataclass(frozen=True)
class Panel:
    """One part of a page: a name (unique on its page, ``app.part``), the Django
    template that renders it, the function that computes its context, and its
    place on the page (lower first; ties by name)."""

    name: str
    template: str
    context: PanelContext
    order: int = 100


class Registry:
    """The panels of one page, in order. Registering a name again replaces it, so
    ``ready()`` running twice (tests, autoreload) does not duplicate a panel."""

    def __init__(self, page: str) -> None:
        self.page = page
        self._panels: dict[str, Panel] = {}

    def register(self, panel: Panel) -> None:
        self._panels[panel.name] = panel

    def unregister(self, name: str) -> None:
        self._panels.pop(name, None)

    def panels(self) -> list[Panel]:
        return sorted(self._panels.values(), key=lambda p: (p.order, p.name))

    def render(self, request: HttpRequest, obj: Any, page: Mapping[str, Any]) -> list[SafeString]:
        """Each panel's HTML, in order; panels whose context is ``None`` are left out."""
        html = []
        for panel in self.panels():
            context = panel.context(request, obj, page)
            if context is None:
                continue
            html.append(
                mark_safe(  # noqa: S308 (a Django template's autoescaped output)
                    render_to_string(panel.template, {**page, **context}, request=request)
                )
            )
        return html


# The paper page's header panels (``/papers/<arxiv-id>``), inside its community section.
PAPER = Registry("paper")
# The signed-in reader's profile page (``/accounts/profile``), below the profile form.
PROFILE = Registry("profile")
