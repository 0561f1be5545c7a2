"""The shared page cache: rendered pages for anonymous readers, on disk, shared by
the web processes, keyed by a version that changes with what the page shows."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext

from paperfeed.catalogue.models import Paper
from paperfeed.search.models import PaperEmbedding
from paperfeed.search.vectors import forget_state
from paperfeed.web.pagecache import PageCache
from paperfeed.web.responses import page_cache

pytestmark = pytest.mark.django_db

PAPER = "0704.0001"


def _other_process_cache() -> PageCache:
    """A second instance on the same directory, as another web process opens it."""
    config = settings.CACHES["pages"]
    return PageCache(config["LOCATION"], {k: v for k, v in config.items() if k != "LOCATION"})


def test_a_rendered_page_is_visible_to_another_process(client, corpus):
    response = client.get("/?date=2025-03-19")
    assert response.status_code == 200
    key = response["ETag"].strip('"')
    status, content_type, body = _other_process_cache().get(key)
    assert status == 200 and content_type.startswith("text/html")
    assert body == response.content


def test_a_repeat_visit_is_served_from_the_cache(client, corpus):
    first = client.get(f"/papers/{PAPER}")
    assert first.status_code == 200
    # Django closes caches when a request ends; the page cache must still answer.
    with CaptureQueriesContext(connection) as queries:
        again = client.get(f"/papers/{PAPER}")
    assert again.content == first.content
    assert not [q for q in queries.captured_queries if "catalogue_authorship" in q["sql"]]


def test_the_cached_copy_is_what_is_served(client, corpus):
    first = client.get("/api/papers?date=2025-03-19&limit=5")
    key = first["ETag"].strip('"')
    status, content_type, body = page_cache().get(key)
    page_cache().set(key, (status, content_type, body.replace(b'"count"', b'"COUNT"')))
    assert b'"COUNT"' in client.get("/api/papers?date=2025-03-19&limit=5").content


def test_api_lists_answer_304_when_unchanged(client, corpus):
    response = client.get("/api/papers?date=2025-03-19")
    assert response.status_code == 200 and response["ETag"]
    assert "public" in response["Cache-Control"]
    again = client.get("/api/papers?date=2025-03-19", HTTP_IF_NONE_MATCH=response["ETag"])
    assert again.status_code == 304
    other = client.get("/api/days", HTTP_IF_NONE_MATCH=response["ETag"])
    assert other.status_code == 200


def test_a_changed_paper_is_not_served_stale(client, corpus):
    before = client.get(f"/papers/{PAPER}")
    Paper.objects.filter(arxiv_id=PAPER).update(title="A title nobody had before")
    Paper.objects.get(arxiv_id=PAPER).save()  # bumps modified_at, as ingest does
    after = client.get(f"/papers/{PAPER}")
    assert after["ETag"] != before["ETag"]
    assert b"A title nobody had before" in after.content


def test_paper_page_version_follows_the_vectors(client, corpus):
    """Similar papers appear once the worker embeds papers: a new vector changes the
    paper page's ETag even though the catalogue did not change."""
    before = client.get(f"/papers/{PAPER}")["ETag"]
    paper = Paper.objects.get(arxiv_id=PAPER)
    PaperEmbedding.objects.create(paper=paper, model_name="test-model", vector=b"\0" * 16)
    forget_state()
    after = client.get(f"/papers/{PAPER}")["ETag"]
    assert after != before


def test_signed_in_pages_are_neither_cached_nor_served_from_cache(client, corpus):
    from django.contrib.auth.models import User

    anonymous = client.get("/?date=2025-03-19")
    user = User.objects.create_user("reader", "reader@example.org", "a long passphrase 1")
    client.force_login(user)
    signed_in = client.get("/?date=2025-03-19")
    assert signed_in.status_code == 200
    assert signed_in.content != anonymous.content  # per-reader vote forms
    assert "private" in signed_in["Cache-Control"]
    assert page_cache().get(signed_in["ETag"].strip('"')) is None


def test_the_response_says_whether_it_came_from_the_cache(client, corpus):
    """``X-Cache``: a render is a miss, the same page again a hit (the load benchmark
    reports the two apart); a signed-in reader's page is never cached and says neither."""
    from django.contrib.auth.models import User

    first = client.get(f"/papers/{PAPER}")
    again = client.get(f"/papers/{PAPER}")
    assert (first["X-Cache"], again["X-Cache"]) == ("miss", "hit")
    assert again.content == first.content
    api = client.get("/api/papers?date=2025-03-19&limit=5")
    assert api["X-Cache"] == "miss"
    assert client.get("/api/papers?date=2025-03-19&limit=5")["X-Cache"] == "hit"
    client.force_login(User.objects.create_user("reader", "reader@example.org", "a long pass 1"))
    signed_in = client.get(f"/papers/{PAPER}")
    assert signed_in.status_code == 200 and "X-Cache" not in signed_in


def test_a_busy_shard_skips_the_write_rather_than_hold_the_page_back(client, corpus):
    """Every shard's database held by another writer (as another web process's long
    write would) until a second after the request began: the page is served and not
    kept. A write that waited for the shard, as diskcache's Django backend does by
    default, would have held the page back for that second and then kept it."""
    config = settings.CACHES["pages"]
    shards = sorted(Path(config["LOCATION"]).glob("*/cache.db"))
    assert len(shards) == config["SHARDS"]
    writers = []
    for shard in shards:
        writer = sqlite3.connect(shard, timeout=0, isolation_level=None, check_same_thread=False)
        writer.execute("BEGIN IMMEDIATE")  # the shard's write lock
        writers.append(writer)
    release = threading.Timer(1.0, lambda: [w.execute("ROLLBACK") for w in writers])
    release.start()
    try:
        response = client.get(f"/papers/{PAPER}")
    finally:
        release.join()
        for writer in writers:
            writer.close()
    assert response.status_code == 200 and response["X-Cache"] == "miss"
    assert page_cache().get(response["ETag"].strip('"')) is None
    # with the shards free again, the next request keeps it
    again = client.get(f"/papers/{PAPER}")
    assert page_cache().get(again["ETag"].strip('"')) is not None
