"""Pages that list a span's papers (the daily feed, the API's list of one day) key on
that span's catalogue version: papers imported into other days leave them cached, a
paper added to, changed in or removed from the span renders them again, and so do a
new day beside them (their links to the neighbouring days change) and a new version of
a paper featured on one of their days."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from paperfeed.catalogue import version
from paperfeed.catalogue.ingest import Ingestor
from paperfeed.catalogue.models import Paper
from paperfeed.community.curation import feature
from paperfeed.sources.records import Version
from tests.support.community import make_curator, make_reader
from tests.support.corpus import listing_records
from tests.support.days import import_on

pytestmark = pytest.mark.django_db


def test_a_spans_version_moves_with_its_own_papers_only(days):
    latest, older = days
    mine = version.span_version(older, older)
    import_on(latest)
    assert version.span_version(older, older) == mine
    # one of the day's papers changed, then one removed, then one added
    paper = Paper.objects.filter(announced=older).first()
    paper.title = "A title nobody had before"
    paper.save()
    changed = version.span_version(older, older)
    assert changed != mine
    Paper.objects.filter(announced=older).exclude(pk=paper.pk).first().delete()
    removed = version.span_version(older, older)
    assert removed != changed
    import_on(older, n=1)
    added = version.span_version(older, older)
    assert added != removed
    # a paper moved out of the span (without touching its modified_at) moves it: the
    # count; and a span holding the day moves with it
    week = version.span_version(older, latest)
    Paper.objects.filter(pk=paper.pk).update(announced=latest - dt.timedelta(days=400))
    assert version.span_version(older, older) != added
    assert version.span_version(older, latest) != week


def test_the_recent_span_version_is_read_again_when_the_catalogue_moves(days):
    latest, older = days
    kept = version.recent_span_version(older, older)
    import_on(older, n=1)  # the importing process forgets the catalogue's version
    assert version.recent_span_version(older, older) != kept
    assert version.recent_span_version(older, older) == version.span_version(older, older)


def test_a_day_page_stays_cached_while_papers_are_imported_into_another_day(client, days):
    latest, older = days
    pages = [f"/?date={latest}", f"/api/papers?date={latest}&limit=200"]
    first = {url: client.get(url) for url in pages}
    assert all(r.status_code == 200 and r["X-Cache"] == "miss" for r in first.values())
    imported = import_on(older)
    again = {url: client.get(url) for url in pages}
    for url in pages:
        assert again[url]["ETag"] == first[url]["ETag"], url
        assert again[url]["X-Cache"] == "hit", url
    # the day the papers went to: rendered again, with them
    listed = client.get(f"/api/papers?date={older}&limit=200")
    assert listed["X-Cache"] == "miss"
    assert set(imported) <= {p["arxiv_id"] for p in listed.json()["results"]}


def test_a_new_day_renders_its_neighbours_page_again(client, days):
    latest, _ = days
    first = client.get(f"/?date={latest}")
    assert b'rel="next"' not in first.content
    later = latest + dt.timedelta(days=1)
    import_on(later)
    again = client.get(f"/?date={latest}")
    assert again["X-Cache"] == "miss" and again["ETag"] != first["ETag"]
    assert f'rel="next" href="?date={later}'.encode() in again.content
    # the site's front page is now the new day's
    front = client.get("/")
    assert front.status_code == 200 and later.strftime("%-d %B %Y").encode() in front.content


def test_a_category_filter_follows_a_category_brought_by_another_days_import(client, days):
    latest, older = days
    url = f"/api/papers?date={latest}&category=q-bio.XX"
    assert client.get(url).status_code == 400
    import_on(older, n=1, category="q-bio.XX")
    answer = client.get(url)
    assert answer.status_code == 200 and answer.json()["results"] == []


def test_a_signed_in_readers_page_keys_on_the_whole_catalogue(client, days):
    """Their page says how each paper fits them, from vectors anywhere: a conditional
    request after an import into another day is answered in full, not 304."""
    latest, older = days
    client.force_login(make_reader())
    page = client.get(f"/?date={latest}")
    assert client.get(f"/?date={latest}", HTTP_IF_NONE_MATCH=page["ETag"]).status_code == 304
    import_on(older)
    assert client.get(f"/?date={latest}", HTTP_IF_NONE_MATCH=page["ETag"]).status_code == 200


def test_a_featured_papers_card_follows_its_new_version(
    client, days, django_capture_on_commit_callbacks
):
    """A paper featured on the latest day but announced on another is listed by the
    latest day's feed outside that day's own papers: a new version of it (imported
    into its own day) still renders the feed again, with the new title."""
    latest, older = days
    paper = Paper.objects.filter(announced=older).first()
    feature(make_curator(), paper, latest)
    first = client.get(f"/?date={latest}")
    assert paper.title.encode() in first.content
    record = next(r for r in listing_records(711) if r.arxiv_id == paper.arxiv_id)
    newer = Version((record.latest_version or 1) + 1)
    renamed = dataclasses.replace(
        record, title="A second version with a new title", versions=[*record.versions, newer]
    )
    with django_capture_on_commit_callbacks(execute=True):
        Ingestor().ingest([renamed])
    again = client.get(f"/?date={latest}")
    assert again["X-Cache"] == "miss" and again["ETag"] != first["ETag"]
    assert b"A second version with a new title" in again.content
