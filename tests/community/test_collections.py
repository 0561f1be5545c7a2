"""Collections: named lists, private or public, Atom feed and BibTeX for each."""

from __future__ import annotations

import feedparser
import pytest
from django.test import Client

from paperfeed.community.models import Collection, CollectionItem
from tests.support.community import load_papers, make_reader

pytestmark = pytest.mark.django_db


def test_save_papers_to_a_new_list_then_feed_and_bibtex(client):
    papers = load_papers(20)
    owner = make_reader("owner")
    client.force_login(owner)
    for paper in papers[:3]:
        client.post(f"/papers/{paper.arxiv_id}/save", {"new_name": "Reading group"})
    collection = Collection.objects.get(owner=owner, name="Reading group")
    assert collection.items.count() == 3 and not collection.public
    # saving again is harmless; removing works
    client.post(f"/papers/{papers[0].arxiv_id}/save", {"collection": collection.pk})
    assert collection.items.count() == 3
    client.post(
        f"/papers/{papers[0].arxiv_id}/save", {"collection": collection.pk, "action": "remove"}
    )
    assert collection.items.count() == 2

    page = client.get(f"/collections/{collection.pk}")
    assert page.status_code == 200 and papers[1].title in page.content.decode()
    feed_url = page.context["feed_url"]
    assert "key=" in feed_url  # private: the feed needs its key

    stranger = Client()
    assert stranger.get(f"/collections/{collection.pk}").status_code == 404
    assert stranger.get(f"/collections/{collection.pk}.atom").status_code == 404
    atom = stranger.get(feed_url)
    assert atom.status_code == 200 and atom["Content-Type"].startswith("application/atom+xml")
    parsed = feedparser.parse(atom.content)
    assert parsed.feed.title.startswith("Reading group")
    assert {e.title for e in parsed.entries} == {papers[1].title, papers[2].title}

    bib = client.get(f"/collections/{collection.pk}.bib").content.decode()
    assert bib.count("@misc{") == 2 and f"eprint        = {{{papers[1].arxiv_id}}}" in bib

    # made public: anyone can read it, and its feed needs no key
    client.post(
        f"/collections/{collection.pk}/edit",
        {"name": "Reading group", "description": "Thursdays", "public": "on"},
    )
    assert stranger.get(f"/collections/{collection.pk}").status_code == 200
    assert stranger.get(f"/collections/{collection.pk}.atom").status_code == 200
    assert stranger.get(f"/collections/{collection.pk}.bib").status_code == 200


def test_lists_belong_to_their_owner(client):
    papers = load_papers(5)
    owner, other = make_reader(), make_reader()
    mine = Collection.objects.create(owner=owner, name="Mine")
    client.force_login(other)
    response = client.post(f"/papers/{papers[0].arxiv_id}/save", {"collection": mine.pk})
    assert response.status_code == 404 and not CollectionItem.objects.exists()
    edit = client.post(f"/collections/{mine.pk}/edit", {"action": "delete"})
    assert edit.status_code == 404 and Collection.objects.filter(pk=mine.pk).exists()
    anonymous = Client()
    assert (
        anonymous.post(f"/papers/{papers[0].arxiv_id}/save", {"new_name": "x"}).status_code == 302
    )
    assert not Collection.objects.filter(name="x").exists()


def test_create_rename_delete_and_duplicate_names(client):
    client.force_login(make_reader())
    assert client.post("/collections", {"name": "Robots", "public": "on"}).status_code == 302
    assert client.post("/collections", {"name": "Robots"}).status_code == 400
    collection = Collection.objects.get(name="Robots")
    assert collection.public
    assert "Robots" in client.get("/collections").content.decode()
    client.post(f"/collections/{collection.pk}/edit", {"action": "delete"})
    assert not Collection.objects.exists()


def test_collection_writes_need_csrf_and_are_limited(settings):
    paper = load_papers(3)[0]
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(make_reader())
    assert strict.post("/collections", {"name": "x"}).status_code == 403
    settings.PAPERFEED_RATE_LIMITS = {"collection:user": "2/m"}
    client = Client()
    client.force_login(make_reader())
    codes = [
        client.post(f"/papers/{paper.arxiv_id}/save", {"new_name": "L"}).status_code
        for _ in range(3)
    ]
    assert codes == [302, 302, 429]


def test_the_save_form_offers_no_empty_list_to_a_reader_without_collections(client):
    paper = load_papers(5)[0]
    client.force_login(make_reader("newcomer"))
    page = client.get(f"/papers/{paper.arxiv_id}").content.decode()
    form = page.split('class="inline-form save-form"', 1)[1].split("</form>", 1)[0]
    assert "<select" not in form
    assert '<label for="save-new">Save to a new collection</label>' in form
    assert 'name="new_name"' in form and "required" in form
    client.post(f"/papers/{paper.arxiv_id}/save", {"new_name": "First list"})
    page = client.get(f"/papers/{paper.arxiv_id}").content.decode()
    form = page.split('class="inline-form save-form"', 1)[1].split("</form>", 1)[0]
    assert '<select id="save-collection" name="collection">' in form and "First list ✓" in form
