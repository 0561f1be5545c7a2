from __future__ import annotations

import re

from django.utils import timezone

from paperfeed.digests.models import Subscriber

URL = re.compile(r"https://papers\.example\.org(/digests/[a-z]+/[^\s\"<>]+)")


def subscriber(email: str, confirmed: bool = True, **fields) -> Subscriber:
    if confirmed:
        fields.setdefault("confirmed_at", timezone.now())
        fields.setdefault("confirm_nonce", "")
    return Subscriber.objects.create(email=email, **fields)


def links(text: str, kind: str) -> list[str]:
    """Site-relative paths of the /digests/<kind>/ links in a text."""
    return [m for m in URL.findall(text) if m.startswith(f"/digests/{kind}/")]


def parts(message):  # type: ignore[no-untyped-def]
    text = message.get_body(preferencelist=("plain",)).get_content()
    html = message.get_body(preferencelist=("html",)).get_content()
    return text, html
