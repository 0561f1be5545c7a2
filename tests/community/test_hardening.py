"""Community writes under attack: collection names on every path, who may ban whom,
private feed keys that can be rotated."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.core import signing

from paperfeed.community.collections import FEED_SALT
from paperfeed.community.models import Collection
from tests.support.community import PASSWORD, load_papers, make_curator, make_reader

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("name", ["evil\x00name", "bell\x07", "   ", "x" * 121])
def test_collection_names_are_checked_on_every_path(client, name):
    paper = load_papers(3)[0]
    client.force_login(make_reader())
    saved = client.post(f"/papers/{paper.arxiv_id}/save", {"new_name": name})
    created = client.post("/collections", {"name": name, "description": ""})
    assert (saved.status_code, created.status_code) == (400, 400) or name == "   "
    assert not Collection.objects.exists()
    good = Collection.objects.create(owner=User.objects.get(), name="Good")
    edited = client.post(f"/collections/{good.pk}/edit", {"name": name, "description": ""})
    assert edited.status_code == 400 and Collection.objects.get().name == "Good"


def test_a_name_from_save_paper_is_folded_like_the_forms(client):
    paper = load_papers(3)[0]
    client.force_login(make_reader())
    client.post(f"/papers/{paper.arxiv_id}/save", {"new_name": "  Reading \t group  "})
    assert Collection.objects.get().name == "Reading group"


def test_curators_cannot_ban_curators_or_staff_but_a_superuser_can(client):
    curator, other = make_curator("cura"), make_curator("curb")
    staff = make_reader("staffer", is_staff=True)
    client.force_login(curator)
    for target in (other, staff):
        refused = client.post("/curate/accounts", {"user_id": target.pk, "action": "ban"})
        assert refused.status_code == 403
        target.refresh_from_db()
        assert target.is_active and not target.profile.banned
    root = User.objects.create_superuser("root@example.org", "root@example.org", PASSWORD)
    client.force_login(root)
    for target in (other, staff):
        done = client.post("/curate/accounts", {"user_id": target.pk, "action": "ban"})
        assert done.status_code == 302
        target.refresh_from_db()
        assert not target.is_active and target.profile.banned


def test_a_rotated_private_feed_key_stops_working(client):
    owner = make_reader()
    collection = Collection.objects.create(owner=owner, name="Private")
    stranger = type(client)()
    legacy = signing.dumps(collection.pk, salt=FEED_SALT)  # keys given out before versions
    client.force_login(owner)
    old_url = client.get(f"/collections/{collection.pk}").context["feed_url"]
    assert stranger.get(old_url).status_code == 200
    assert stranger.get(f"/collections/{collection.pk}.atom?key={legacy}").status_code == 200
    page = client.get(f"/collections/{collection.pk}").content.decode()
    assert 'value="rotate-key"' in page
    rotated = client.post(f"/collections/{collection.pk}/edit", {"action": "rotate-key"})
    assert rotated.status_code == 302
    new_url = client.get(f"/collections/{collection.pk}").context["feed_url"]
    assert new_url != old_url
    assert stranger.get(old_url).status_code == 404
    assert stranger.get(f"/collections/{collection.pk}.atom?key={legacy}").status_code == 404
    assert stranger.get(new_url).status_code == 200
    bib = new_url.replace(".atom", ".bib")
    assert stranger.get(bib).status_code == 200
    # only the owner rotates
    assert stranger.post(
        f"/collections/{collection.pk}/edit", {"action": "rotate-key"}
    ).status_code in (302, 403, 404)
    assert stranger.get(new_url).status_code == 200
