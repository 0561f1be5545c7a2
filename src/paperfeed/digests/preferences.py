"""The preferences page and unsubscribing, reached from the signed link in every email.

- ``/digests/preferences/<token>``: frequency, sections, categories, how many papers,
  pause; unsubscribe; delete my data. POST only through the page's forms (CSRF on).
- ``/digests/unsubscribe/<token>``: GET shows a confirm button; POST unsubscribes.
  The POST is CSRF-exempt because mail clients send RFC 8058 one-click requests
  (``List-Unsubscribe=One-Click``) without a token; the signed token in the URL is
  the authentication.
"""

from __future__ import annotations

import re
from typing import cast

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from paperfeed.catalogue.models import Category
from paperfeed.catalogue.taxonomy import NAMES
from paperfeed.digests.compose import MAX_PAPERS_CHOICES, available_sections
from paperfeed.digests.models import Frequency, Subscriber
from paperfeed.digests.subscribe import bad_link
from paperfeed.digests.tokens import BadToken, subscriber_for_manage
from paperfeed.ratelimit.limits import ratelimit

MAX_CATEGORIES = 20
_CODE = re.compile(r"^[a-z-]+(\.[A-Za-z-]+)?$")


def known_categories() -> set[str]:
    return set(NAMES) | set(Category.objects.values_list("code", flat=True))


def parse_categories(text: str | list[str]) -> list[str]:
    """``"cs.CV, cs.CL"`` to ``["cs.CL", "cs.CV"]``; unknown codes raise ValueError."""
    items = text if isinstance(text, list) else re.split(r"[\s,]+", text or "")
    codes = sorted({c.strip() for c in items if c.strip()})
    if len(codes) > MAX_CATEGORIES:
        raise ValueError(f"at most {MAX_CATEGORIES} categories")
    known = known_categories()
    unknown = [c for c in codes if not _CODE.match(c) or c not in known]
    if unknown:
        raise ValueError(
            f"unknown categor{'ies' if len(unknown) > 1 else 'y'}: {', '.join(unknown)}"
        )
    return codes


MAX_SEARCHES = 5
MAX_SEARCH_LENGTH = 200


class PreferencesForm(forms.Form):
    frequency = forms.ChoiceField(choices=Frequency.choices, widget=forms.RadioSelect)
    sections = forms.MultipleChoiceField(
        choices=(), widget=forms.CheckboxSelectMultiple, required=False
    )
    categories = forms.CharField(
        required=False,
        max_length=400,
        help_text="arXiv category codes separated by commas, e.g. cs.CV, cs.CL",
    )
    searches = forms.CharField(
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        label="Saved searches",
        help_text=f"One search a line, up to {MAX_SEARCHES}, as on the search page",
    )
    max_papers = forms.TypedChoiceField(
        choices=[(n, str(n)) for n in MAX_PAPERS_CHOICES], coerce=int, label="Papers per email"
    )
    paused = forms.BooleanField(required=False, label="Pause emails for now")

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.MultipleChoiceField, self.fields["sections"]).choices = [
            (p.name, p.label) for p in available_sections()
        ]

    def clean_categories(self) -> list[str]:
        try:
            return parse_categories(self.cleaned_data["categories"])
        except ValueError as exc:
            raise forms.ValidationError(str(exc)) from None

    def clean_searches(self) -> list[str]:
        lines = [" ".join(line.split()) for line in self.cleaned_data["searches"].splitlines()]
        searches = list(dict.fromkeys(line for line in lines if line))
        if len(searches) > MAX_SEARCHES:
            raise forms.ValidationError(f"At most {MAX_SEARCHES} saved searches.")
        if any(len(q) > MAX_SEARCH_LENGTH for q in searches):
            raise forms.ValidationError(f"A search may be {MAX_SEARCH_LENGTH} characters long.")
        return searches

    def clean(self):
        data = super().clean()
        sections = data.get("sections") or []
        if "searches" in sections and not data.get("searches") and "searches" not in self.errors:
            self.add_error("searches", "Write at least one search, or leave that section out.")
        if not sections:
            self.add_error("sections", "Choose at least one thing to include.")
        elif sections == ["categories"] and not data.get("categories"):
            self.add_error("categories", "Name at least one category, or include trending.")
        return data

    @classmethod
    def for_subscriber(cls, subscriber: Subscriber) -> PreferencesForm:
        from paperfeed.digests.compose import effective_sections

        return cls(
            initial={
                "frequency": subscriber.frequency,
                "sections": effective_sections(subscriber),
                "categories": ", ".join(subscriber.categories),
                "searches": "\n".join(subscriber.searches),
                "max_papers": subscriber.max_papers,
                "paused": subscriber.paused,
            }
        )


def _page(request, subscriber, form, token, status=200, **extra) -> HttpResponse:
    context = {"subscriber": subscriber, "form": form, "token": token, **extra}
    response = render(request, "digests/preferences.html", context, status=status)
    response["X-Robots-Tag"] = "noindex"
    return response


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
@ratelimit("digest-preferences", "30/m")
def preferences(request: HttpRequest, token: str) -> HttpResponse:
    try:
        subscriber = subscriber_for_manage(token)
    except BadToken:
        return bad_link(request)
    if request.method != "POST":
        return _page(
            request,
            subscriber,
            PreferencesForm.for_subscriber(subscriber),
            token,
            welcome=request.GET.get("welcome") == "1",
        )
    action = request.POST.get("action", "save")
    if action == "delete":
        subscriber.delete()
        return render(
            request,
            "digests/message.html",
            {
                "title": "Your data is deleted",
                "message": "We deleted your address, your preferences and the record of "
                "digests sent to you. You will get no more email from us.",
            },
        )
    if action == "unsubscribe":
        if not subscriber.unsubscribed_at:
            subscriber.unsubscribed_at = timezone.now()
            subscriber.save(update_fields=["unsubscribed_at"])
        return _page(
            request,
            subscriber,
            PreferencesForm.for_subscriber(subscriber),
            token,
            notice="You are unsubscribed. Nothing more will be sent.",
        )
    if action == "resubscribe":
        if subscriber.unsubscribed_at and subscriber.confirmed_at and not subscriber.suppressed_at:
            subscriber.unsubscribed_at = None
            subscriber.save(update_fields=["unsubscribed_at"])
        return _page(
            request,
            subscriber,
            PreferencesForm.for_subscriber(subscriber),
            token,
            notice="Welcome back: digests will resume.",
        )
    if action != "save":
        return _page(request, subscriber, PreferencesForm.for_subscriber(subscriber), token, 400)
    form = PreferencesForm(request.POST)
    if not form.is_valid():
        return _page(request, subscriber, form, token, status=400)
    data = form.cleaned_data
    subscriber.frequency = data["frequency"]
    subscriber.sections = list(data["sections"])
    subscriber.categories = data["categories"]
    subscriber.searches = data["searches"]
    subscriber.max_papers = data["max_papers"]
    subscriber.paused = data["paused"]
    subscriber.save(
        update_fields=["frequency", "sections", "categories", "searches", "max_papers", "paused"]
    )
    return _page(
        request, subscriber, PreferencesForm.for_subscriber(subscriber), token, notice="Saved."
    )


@csrf_exempt
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
@ratelimit("digest-unsubscribe", "60/m")
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    try:
        subscriber = subscriber_for_manage(token)
    except BadToken:
        return bad_link(request)
    if request.method != "POST":
        return render(
            request, "digests/unsubscribe.html", {"subscriber": subscriber, "token": token}
        )
    Subscriber.objects.filter(pk=subscriber.pk, unsubscribed_at__isnull=True).update(
        unsubscribed_at=timezone.now()
    )
    return render(
        request,
        "digests/message.html",
        {
            "title": "You are unsubscribed",
            "message": f"{subscriber.email} will get no more digests.",
            "token": token,
        },
    )
