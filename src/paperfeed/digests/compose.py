"""Choose each subscriber's papers and render the digest (text and HTML).

Sending thousands of digests is mostly the same work repeated, so a ``Composer``
(one per batch or run) caches at three levels:
- paper ids per block (trending for the period, each category's new papers);
- each paper's rendered block (HTML and text), rendered once;
- each distinct selection's body, keyed by (period, sections, categories, size).
Only the short per-subscriber frame (why you got it, your links) is rendered per
subscriber.

Sections are pluggable: ``register_section`` adds one (saved searches and personal
picks register themselves once search and recommendations exist). A provider gets
the subscriber and the composer and returns blocks of paper ids; a ``personal``
provider's result is not shared between subscribers.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Prefetch
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from paperfeed.catalogue.models import NEWEST_FIRST, Authorship, Paper
from paperfeed.catalogue.text import lede, split_byline
from paperfeed.codelinks.links import primary_repositories
from paperfeed.digests.models import Frequency, Subscriber
from paperfeed.search.filters import Filters
from paperfeed.search.hybrid import search
from paperfeed.sources.weblinks import safe_href
from paperfeed.trending.ranking import trending_papers

MAX_PAPERS_CHOICES = (5, 10, 20, 30, 50)
BYLINE_AUTHORS = 5
ABSTRACT_CHARS = 320
_SPACES = re.compile(r"\s+")


# -- periods -------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    kind: str  # daily | weekly
    key: str  # daily:2026-11-27 | weekly:2026-W48 (the send log's unique key)
    first: dt.date
    last: dt.date

    @property
    def label(self) -> str:
        if self.kind == Frequency.DAILY:
            return self.last.strftime("%a %d %b %Y")
        year, week, _ = self.last.isocalendar()
        return f"week {week}, {year}"


def period_for(kind: str, day: dt.date) -> Period:
    """Daily: the papers announced on ``day``. Weekly: the ISO week of ``day``, up to
    ``day`` (sent on Fridays it holds the week's five announcement days)."""
    if kind == Frequency.DAILY:
        return Period(kind, f"daily:{day.isoformat()}", day, day)
    if kind == Frequency.WEEKLY:
        year, week, weekday = day.isocalendar()
        return Period(kind, f"weekly:{year}-W{week:02d}", day - dt.timedelta(days=weekday - 1), day)
    raise ValueError(f"unknown period {kind!r}: use daily or weekly")


# -- sections ------------------------------------------------------------------------


@dataclass(frozen=True)
class Block:
    key: str  # cache key of this block's ids, e.g. "trending" or "cat:cs.CV"
    title: str
    ids: tuple[int, ...]


SectionBuild = Callable[[Subscriber, "Composer"], list[Block]]


@dataclass(frozen=True)
class SectionProvider:
    name: str
    label: str
    build: SectionBuild
    available: Callable[[], bool] = lambda: True
    personal: bool = False  # depends on the subscriber, not only on their settings


SECTIONS: dict[str, SectionProvider] = {}


def register_section(provider: SectionProvider) -> None:
    """The extension point for saved searches and personal picks."""
    SECTIONS[provider.name] = provider


def available_sections() -> list[SectionProvider]:
    return [p for p in SECTIONS.values() if p.available()]


def _trending(subscriber: Subscriber, composer: Composer) -> list[Block]:
    return [Block("trending", "Trending", composer.trending_ids())]


def _categories(subscriber: Subscriber, composer: Composer) -> list[Block]:
    return [
        Block(f"cat:{code}", f"New in {code}", composer.category_ids(code))
        for code in sorted(set(subscriber.categories))
    ]


def _searches(subscriber: Subscriber, composer: Composer) -> list[Block]:
    return [
        Block(f"search:{query}", f"New for \u201c{query}\u201d", composer.search_ids(query))
        for query in subscriber.searches
    ]


register_section(SectionProvider("trending", "Trending papers", _trending))
register_section(SectionProvider("categories", "New papers in my categories", _categories))
register_section(SectionProvider("searches", "New papers for my saved searches", _searches))


def effective_sections(subscriber: Subscriber) -> list[str]:
    chosen = [s for s in subscriber.sections if s in SECTIONS]
    if chosen:
        return chosen
    return ["trending", "categories"] if subscriber.categories else ["trending"]


def code_links(paper_ids: list[int]) -> dict[int, str]:
    """Each paper's code repository URL (``paperfeed.codelinks``)."""
    return {pk: repo.url for pk, repo in primary_repositories(paper_ids).items()}


# -- rendering -----------------------------------------------------------------------


def absolute(path: str) -> str:
    return settings.PAPERFEED_BASE_URL.rstrip("/") + path


@dataclass
class PaperView:
    id: int
    arxiv_id: str
    title: str
    byline: str
    abstract: str
    url: str
    abs_url: str
    pdf_url: str
    categories: str
    code_url: str = ""


def _short(abstract: str, length: int = ABSTRACT_CHARS) -> str:
    return lede(_SPACES.sub(" ", abstract or "").strip(), length)


def _byline(names: list[str]) -> str:
    shown, more = split_byline(names, BYLINE_AUTHORS)
    joined = ", ".join(shown)
    return f"{joined} et al. ({len(names)} authors)" if more else joined


@dataclass
class Body:
    html: SafeString
    text: str
    count: int
    titles: list[str] = field(default_factory=list)


@dataclass
class Digest:
    subject: str
    text: str
    html: str
    papers: int


class Composer:
    """Builds digests for one period, caching everything subscribers share."""

    def __init__(self, period: Period) -> None:
        self.period = period
        self._ids: dict[str, tuple[int, ...]] = {}
        self._views: dict[int, PaperView] = {}
        self._blocks: dict[int, tuple[str, str]] = {}
        self._bodies: OrderedDict[tuple, Body] = OrderedDict()
        self._frames: dict[tuple[str, str], tuple[str, str]] = {}
        self._sections: dict[tuple, tuple[str, str]] = {}
        self.limit = max(MAX_PAPERS_CHOICES)

    # ids per block
    def _window(self):
        return Paper.objects.filter(
            announced__gte=self.period.first, announced__lte=self.period.last
        )

    def trending_ids(self) -> tuple[int, ...]:
        if "trending" not in self._ids:
            end = dt.datetime.combine(self.period.last, dt.time.max, tzinfo=dt.UTC)
            window = "day" if self.period.kind == Frequency.DAILY else "week"
            papers = trending_papers(
                window,
                now=end,
                limit=self.limit * 4,
                queryset=Paper.objects.only("id", "announced"),
            )
            self._ids["trending"] = tuple(
                p.id
                for p in papers
                if p.announced and self.period.first <= p.announced <= self.period.last
            )[: self.limit]
        return self._ids["trending"]

    def category_ids(self, code: str) -> tuple[int, ...]:
        key = f"cat:{code}"
        if key not in self._ids:
            self._ids[key] = tuple(
                self._window()
                .filter(categories__code=code)
                .order_by(*NEWEST_FIRST)
                .values_list("id", flat=True)[: self.limit]
            )
        return self._ids[key]

    def search_ids(self, query: str) -> tuple[int, ...]:
        """New papers of the period matching a saved search (hybrid ranking, filtered
        to the period inside the search), once per distinct query."""
        key = f"search:{query}"
        if key not in self._ids:
            try:
                hits = search(
                    query,
                    filters=Filters(date_from=self.period.first, date_to=self.period.last),
                    limit=self.limit,
                )
            except Exception:  # a broken search must not stop the digests
                logging.getLogger(__name__).exception("saved search %r failed", query)
                hits = []
            self._ids[key] = tuple(h.paper_id for h in hits)
        return self._ids[key]

    def _load(self, ids: set[int]) -> None:
        missing = [i for i in ids if i not in self._views]
        if not missing:
            return
        code = code_links(missing)
        papers = Paper.objects.filter(id__in=missing).prefetch_related(
            Prefetch(
                "authorships",
                queryset=Authorship.objects.select_related("author").order_by("position"),
            ),
            "categories",
        )
        for p in papers:
            self._views[p.id] = PaperView(
                id=p.id,
                arxiv_id=p.arxiv_id,
                title=_SPACES.sub(" ", p.title).strip(),
                byline=_byline([a.author.name for a in p.authorships.all()]),
                abstract=_short(p.abstract),
                url=absolute(reverse("web:paper", kwargs={"arxiv_id": p.arxiv_id})),
                abs_url=safe_href(p.abs_url),
                pdf_url=safe_href(p.pdf_url),
                categories=" ".join(c.code for c in p.categories.all()),
                code_url=code.get(p.id, ""),
            )

    def _block(self, paper_id: int) -> tuple[str, str]:
        if paper_id not in self._blocks:
            ctx = {"paper": self._views[paper_id]}
            self._blocks[paper_id] = (
                render_to_string("digests/email/_paper.html", ctx),
                render_to_string("digests/email/_paper.txt", ctx),
            )
        return self._blocks[paper_id]

    # selection and bodies
    def selection_key(self, subscriber: Subscriber) -> tuple:
        names = tuple(effective_sections(subscriber))
        personal = any(SECTIONS[n].personal for n in names)
        return (
            names,
            tuple(sorted(set(subscriber.categories))) if "categories" in names else (),
            tuple(subscriber.searches) if "searches" in names else (),
            subscriber.max_papers,
            subscriber.pk if personal else None,
        )

    def _section(self, block: Block, ids: tuple[int, ...]) -> tuple[str, str]:
        key = (block.key, ids)
        if key not in self._sections:
            rendered = [self._block(i) for i in ids]
            ctx = {"title": block.title, "papers": [r[0] for r in rendered]}
            underline = "=" * len(block.title)
            self._sections[key] = (
                render_to_string("digests/email/_section.html", ctx),
                f"{block.title}\n{underline}\n\n" + "\n".join(r[1] for r in rendered),
            )
        return self._sections[key]

    def body(self, subscriber: Subscriber) -> Body:
        key = self.selection_key(subscriber)
        if key in self._bodies:
            self._bodies.move_to_end(key)
            return self._bodies[key]
        blocks: list[Block] = []
        for name in key[0]:
            blocks.extend(SECTIONS[name].build(subscriber, self))
        chosen = _round_robin(blocks, max(1, min(subscriber.max_papers, self.limit)))
        self._load({i for ids in chosen.values() for i in ids})
        html_parts, text_parts, titles, count = [], [], [], 0
        for block in blocks:
            ids = tuple(i for i in chosen.get(block.key, []) if i in self._views)
            if not ids:
                continue
            html, text = self._section(block, ids)
            html_parts.append(html)
            text_parts.append(text)
            titles.append(block.title)
            count += len(ids)
        body = Body(mark_safe("".join(html_parts)), "\n".join(text_parts), count, titles)
        self._bodies[key] = body
        if len(self._bodies) > BODY_CACHE:  # bodies are large: keep the recent ones
            self._bodies.popitem(last=False)
        return body

    def compose(self, subscriber: Subscriber, manage_token: str) -> Digest | None:
        """The digest for this subscriber, or None when there is nothing to send.

        The frame (header, footer) is rendered once per (frequency, reason) with
        markers where the body, the address and the signed links go; each subscriber
        costs a few string replacements."""
        body = self.body(subscriber)
        if body.count == 0:
            return None
        frequency = subscriber.get_frequency_display().split(" (")[0].lower()
        reason = "; ".join(_describe(n, subscriber) for n in effective_sections(subscriber))
        frame = self._frames.get((frequency, reason))
        if frame is None:
            frame = self._frames[(frequency, reason)] = self._frame(frequency, reason)
        text_frame, html_frame = frame
        prefs = absolute(reverse("digests:preferences", args=[manage_token]))
        unsub = absolute(reverse("digests:unsubscribe", args=[manage_token]))
        count = str(body.count)
        plural = "" if body.count == 1 else "s"
        values = {_EMAIL: subscriber.email, _PREFS: prefs, _UNSUB: unsub, _COUNT: count,
                  _PLURAL: plural}  # fmt: skip
        text, html = text_frame, html_frame
        for marker, value in values.items():
            text = text.replace(marker, value)
            html = html.replace(marker, escape(value) if marker == _EMAIL else value)
        subject = f"paperfeed {frequency}: {count} paper{plural}, {self.period.label}"
        return Digest(
            subject=subject,
            text=text.replace(_BODY, body.text),
            html=html.replace(_BODY, body.html),
            papers=body.count,
        )

    def _frame(self, frequency: str, reason: str) -> tuple[str, str]:
        ctx = {
            "body": {"html": _BODY, "text": _BODY, "count": _COUNT, "plural": _PLURAL},
            "period": self.period,
            "email": _EMAIL,
            "reason": reason,
            "preferences_url": _PREFS,
            "unsubscribe_url": _UNSUB,
            "site_url": absolute("/"),
            "frequency": frequency,
        }
        return (
            render_to_string("digests/email/digest.txt", ctx),
            render_to_string("digests/email/digest.html", ctx),
        )


# Markers for the per-subscriber parts of a rendered frame: nothing a template escapes,
# nothing that can occur in a paper's text.
_EMAIL, _PREFS, _UNSUB = "\x00pf-email\x00", "\x00pf-prefs\x00", "\x00pf-unsub\x00"
_BODY, _COUNT, _PLURAL = "\x00pf-body\x00", "\x00pf-count\x00", "\x00pf-plural\x00"
BODY_CACHE = 256


def _describe(section: str, subscriber: Subscriber) -> str:
    if section == "trending":
        return "trending papers"
    if section == "categories":
        return "new papers in " + ", ".join(sorted(set(subscriber.categories)))
    if section == "searches":
        return "your saved searches (" + "; ".join(subscriber.searches) + ")"
    return SECTIONS[section].label.lower()


def _round_robin(blocks: list[Block], total: int) -> dict[str, list[int]]:
    """Up to ``total`` distinct papers taken in turn from each block, so every chosen
    section gets its share; a short block leaves its share to the others."""
    chosen: dict[str, list[int]] = {b.key: [] for b in blocks}
    seen: set[int] = set()
    cursors = [0] * len(blocks)
    taken = 0
    while taken < total:
        progressed = False
        for n, block in enumerate(blocks):
            while cursors[n] < len(block.ids) and block.ids[cursors[n]] in seen:
                cursors[n] += 1
            if cursors[n] < len(block.ids) and taken < total:
                paper_id = block.ids[cursors[n]]
                chosen[block.key].append(paper_id)
                seen.add(paper_id)
                cursors[n] += 1
                taken += 1
                progressed = True
        if not progressed:
            break
    return chosen


def latest_day(today: dt.date | None = None) -> dt.date:
    """The latest announcement day on or before today (today when there is none)."""
    from django.db.models import Max

    today = today or timezone.now().date()
    last = Paper.objects.filter(announced__lte=today).aggregate(m=Max("announced"))["m"]
    return last or today
