"""Choosing papers and rendering, on the real corpus slice."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from paperfeed.catalogue.models import Paper
from paperfeed.digests.compose import (
    SECTIONS,
    Block,
    Composer,
    SectionProvider,
    _round_robin,
    period_for,
    register_section,
)
from tests.digests.helpers import subscriber

pytestmark = pytest.mark.django_db


def test_periods():
    day = dt.date(2026, 11, 27)  # a Friday
    assert period_for("daily", day).key == "daily:2026-11-27"
    weekly = period_for("weekly", day)
    assert weekly.key == "weekly:2026-W48"
    assert (weekly.first, weekly.last) == (dt.date(2026, 11, 23), day)
    with pytest.raises(ValueError):
        period_for("hourly", day)


def test_round_robin_shares_and_dedupes():
    blocks = [Block("a", "A", (1, 2, 3, 4)), Block("b", "B", (2, 5)), Block("c", "C", ())]
    assert _round_robin(blocks, 5) == {"a": [1, 3, 4], "b": [2, 5], "c": []}
    assert _round_robin(blocks, 2) == {"a": [1], "b": [2], "c": []}
    assert _round_robin(blocks, 50) == {"a": [1, 3, 4], "b": [2, 5], "c": []}


def test_selection_respects_preferences(corpus):
    composer = Composer(period_for("daily", corpus))
    sub = subscriber("c@example.org", sections=["categories"], categories=["cs.CL"], max_papers=5)
    digest = composer.compose(sub, "tok")
    assert digest.papers == 5
    ids = Paper.objects.filter(announced=corpus, categories__code="cs.CL").values_list(
        "arxiv_id", flat=True
    )
    shown = [line.split("/papers/")[1] for line in digest.text.splitlines() if "/papers/" in line]
    assert len(shown) == 5 and set(shown) <= set(ids)
    assert "https://papers.example.org/digests/preferences/tok" in digest.text


def test_distinct_selections_are_computed_once(corpus):
    composer = Composer(period_for("daily", corpus))
    subs = [subscriber(f"s{n}@example.org", categories=["cs.CV", "cs.LG"]) for n in range(5)]
    composer.compose(subs[0], "t")
    with CaptureQueriesContext(connection) as queries:
        for sub in subs[1:]:
            composer.compose(sub, "t")
    assert len(queries) == 0


def test_extension_point_for_new_sections(corpus):
    newest = tuple(
        Paper.objects.filter(announced=corpus).order_by("arxiv_id").values_list("id", flat=True)[:3]
    )

    def picks(sub, composer):
        return [Block(f"picks:{sub.pk}", "Picked for you", newest)]

    register_section(SectionProvider("picks", "Personal picks", picks, personal=True))
    try:
        sub = subscriber("p@example.org", sections=["picks"], max_papers=10)
        digest = Composer(period_for("daily", corpus)).compose(sub, "t")
        assert digest.papers == 3 and "Picked for you" in digest.text
    finally:
        SECTIONS.pop("picks")


def test_empty_period_gives_no_digest(corpus):
    sub = subscriber("e@example.org")
    assert Composer(period_for("daily", corpus + dt.timedelta(days=400))).compose(sub, "t") is None


def test_preview_command(corpus):
    subscriber("preview@example.org", categories=["cs.CV"])
    out = StringIO()
    call_command(
        "digest",
        "preview",
        "--email",
        "preview@EXAMPLE.org",
        "--date",
        corpus.isoformat(),
        "--html",
        stdout=out,
    )
    text = out.getvalue()
    assert "Subject: paperfeed daily: 10 papers" in text
    assert "List-Unsubscribe-Post: List-Unsubscribe=One-Click" in text
    assert "New in cs.CV" in text and "<table" in text
    with pytest.raises(CommandError):
        call_command("digest", "preview", "--email", "nobody@example.org", stdout=StringIO())


def test_code_link_when_known(corpus):
    from paperfeed.codelinks.models import CodeLink, CodeRepository

    composer = Composer(period_for("daily", corpus))
    paper_id = composer.trending_ids()[0]
    repo = CodeRepository.objects.create(
        host="github", full_name="example/digest-code", url="https://github.com/example/digest-code"
    )
    CodeLink.objects.create(paper_id=paper_id, repository=repo, source="curator")
    digest = composer.compose(subscriber("code@example.org", max_papers=5), "t")
    assert "Code: https://github.com/example/digest-code" in digest.text
    assert 'href="https://github.com/example/digest-code"' in digest.html


def test_saved_searches_bring_the_periods_matching_papers(corpus):
    from paperfeed.search.keyword import index_keyword

    day_papers = Paper.objects.filter(announced=corpus)
    index_keyword(list(day_papers.values_list("id", flat=True)))
    target = day_papers.order_by("arxiv_id").first()
    query = " ".join(target.title.split()[:8])
    sub = subscriber("s@example.org", sections=["searches"], searches=[query], max_papers=5)
    digest = Composer(period_for("daily", corpus)).compose(sub, "tok")
    shown = [line.split("/papers/")[1] for line in digest.text.splitlines() if "/papers/" in line]
    assert shown[0] == target.arxiv_id
    assert set(shown) <= set(day_papers.values_list("arxiv_id", flat=True))
    assert f"\u201c{query}\u201d" in digest.text
    assert "your saved searches" in digest.text
