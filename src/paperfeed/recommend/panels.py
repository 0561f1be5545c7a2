"""The recommender's panel of the paper page: "More like this" / "Not interested" for
a signed-in reader, pressed as they last said. Registered in
``RecommendConfig.ready`` (see ``paperfeed.panels``); the buttons post to the signal
endpoint, which htmx answers with the buttons and a plain form with a redirect back."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.http import HttpRequest

from paperfeed import panels
from paperfeed.catalogue.models import Paper
from paperfeed.recommend.buttons import signal_html
from paperfeed.recommend.signals import signal_of


def signal_panel(request: HttpRequest, paper: Paper, page: Mapping[str, Any]) -> dict | None:
    """Visitors have nothing to tell the recommender: no panel for them."""
    if not page["signed_in"]:
        return None
    return {"signal_buttons": signal_html(request, paper, signal_of(request.user, paper))}


def register() -> None:
    panels.PAPER.register(
        panels.Panel("recommend.signal", "recommend/_signal_panel.html", signal_panel, order=50)
    )
