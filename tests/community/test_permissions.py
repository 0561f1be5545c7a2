"""Every write, as anonymous, reader and curator: who may, who is sent to log in, who
is refused; CSRF on every form; log-in attempts limited per IP."""

from __future__ import annotations

import pytest
from django.test import Client

from paperfeed.community.models import Collection
from tests.support.community import PASSWORD, load_papers, make_curator, make_reader

pytestmark = pytest.mark.django_db


def writes(paper, collection, victim):  # type: ignore[no-untyped-def]
    """(path, data, what a reader gets, what a curator gets)."""
    p = paper.arxiv_id
    return [
        (f"/papers/{p}/vote", {"action": "up"}, 302, 302),
        (f"/papers/{p}/save", {"new_name": "Mine"}, 302, 302),
        (f"/papers/{p}/code", {"url": "https://github.com/a/b"}, 302, 302),
        ("/submit", {"paper": "0000.0000"}, 400, 400),  # reaches the form (unknown id)
        ("/collections", {"name": "New"}, 302, 302),
        (f"/collections/{collection.pk}/edit", {"name": "Renamed"}, 404, 404),  # not theirs
        (f"/papers/{p}/curate", {"action": "hide"}, 403, 302),
        ("/curate/accounts", {"user_id": victim.pk, "action": "ban"}, 403, 302),
        ("/accounts/profile", {"display_name": "X"}, 200, 200),
    ]


@pytest.mark.parametrize("who", ["anonymous", "reader", "curator"])
def test_write_permissions(who, arxiv_api):
    paper = load_papers(5)[0]
    owner, victim = make_reader("owner"), make_reader("victim")
    collection = Collection.objects.create(owner=owner, name="Owner's")
    client = Client()
    if who == "reader":
        client.force_login(make_reader())
    elif who == "curator":
        client.force_login(make_curator())
    for path, data, as_reader, as_curator in writes(paper, collection, victim):
        response = client.post(path, data)
        if who == "anonymous":
            assert response.status_code == 302, path
            assert response["Location"].startswith("/accounts/login"), path
        else:
            expected = as_reader if who == "reader" else as_curator
            assert response.status_code == expected, (who, path, response.status_code)


@pytest.mark.parametrize(
    "path",
    [
        "/papers/{p}/vote",
        "/papers/{p}/save",
        "/papers/{p}/code",
        "/papers/{p}/curate",
        "/submit",
        "/collections",
        "/curate/accounts",
        "/accounts/profile",
        "/accounts/delete",
        "/accounts/logout",
        "/accounts/password-reset",
        "/accounts/verify-again",
    ],
)
def test_every_form_needs_a_csrf_token(path):
    paper = load_papers(3)[0]
    client = Client(enforce_csrf_checks=True)
    client.force_login(make_curator())
    response = client.post(path.format(p=paper.arxiv_id), {"action": "up"})
    assert response.status_code == 403


def test_log_in_attempts_are_limited_per_ip(settings):
    settings.PAPERFEED_RATE_LIMITS = {"login:ip": "3/10m"}
    make_reader("ann")
    client = Client()
    codes = [
        client.post(
            "/accounts/login", {"username": "ann@example.org", "password": "wrong"}
        ).status_code
        for _ in range(4)
    ]
    assert codes == [200, 200, 200, 429]
    # even the right password waits now
    assert (
        client.post(
            "/accounts/login", {"username": "ann@example.org", "password": PASSWORD}
        ).status_code
        == 429
    )


def test_code_links_and_password_resets_are_limited(settings):
    paper = load_papers(3)[0]
    settings.PAPERFEED_RATE_LIMITS = {"codelink:user": "1/h", "email:ip": "1/h"}
    client = Client()
    client.force_login(make_reader())
    url = f"/papers/{paper.arxiv_id}/code"
    assert client.post(url, {"url": "https://github.com/a/b"}).status_code == 302
    assert client.post(url, {"url": "https://github.com/a/c"}).status_code == 429
    anonymous = Client()
    assert anonymous.post("/accounts/password-reset", {"email": "x@example.org"}).status_code == 302
    assert anonymous.post("/accounts/password-reset", {"email": "x@example.org"}).status_code == 429
