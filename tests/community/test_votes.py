"""Votes: one per account and paper, in place with htmx or as a plain form, counted
once under concurrent clicks (database constraint), limited, CSRF-protected."""

from __future__ import annotations

import threading

import pytest
from django.db import connection
from django.test import Client

from paperfeed.community.models import PaperState, Vote
from tests.support.community import all_apps, load_papers, make_reader


def votes_of(paper) -> int:  # type: ignore[no-untyped-def]
    return PaperState.objects.filter(paper=paper).values_list("votes", flat=True).first() or 0


@pytest.mark.django_db
def test_vote_without_js_is_a_form_post_and_redirects_back(client):
    paper = load_papers(10)[0]
    reader = make_reader()
    client.force_login(reader)
    page = client.get(f"/papers/{paper.arxiv_id}")
    html = page.content.decode()
    assert f'action="/papers/{paper.arxiv_id}/vote"' in html and 'value="up"' in html
    assert "private" in page["Cache-Control"] and "no-cache" in page["Cache-Control"]
    response = client.post(f"/papers/{paper.arxiv_id}/vote", {"action": "up", "next": "/trending"})
    assert response.status_code == 302 and response["Location"] == "/trending"
    assert Vote.objects.filter(user=reader, paper=paper).count() == 1 and votes_of(paper) == 1
    # the same click again changes nothing; "remove" takes it back
    client.post(f"/papers/{paper.arxiv_id}/vote", {"action": "up"})
    assert votes_of(paper) == 1
    back = client.post(f"/papers/{paper.arxiv_id}/vote", {"action": "remove"})
    assert back["Location"] == f"/papers/{paper.arxiv_id}"
    assert votes_of(paper) == 0 and not Vote.objects.exists()
    # an outside "next" is ignored
    away = client.post(
        f"/papers/{paper.arxiv_id}/vote", {"action": "up", "next": "https://evil.example/"}
    )
    assert away["Location"] == f"/papers/{paper.arxiv_id}"


@pytest.mark.django_db
def test_htmx_vote_returns_the_button_in_its_new_state(client):
    paper = load_papers(10)[0]
    client.force_login(make_reader())
    response = client.post(
        f"/papers/{paper.arxiv_id}/vote", {"action": "up"}, headers={"HX-Request": "true"}
    )
    html = response.content.decode()
    assert response.status_code == 200 and html.startswith('<span class="vote"')
    assert 'aria-pressed="true"' in html and 'value="remove"' in html
    assert '<span class="vote-count">1</span>' in html
    again = client.post(
        f"/papers/{paper.arxiv_id}/vote", {"action": "remove"}, headers={"HX-Request": "true"}
    ).content.decode()
    assert 'aria-pressed="false"' in again and '<span class="vote-count">0</span>' in again


@pytest.mark.django_db
def test_cards_show_votes_and_the_readers_own(client):
    papers = load_papers(30)
    a, b = make_reader(), make_reader()
    for user in (a, b):
        Client().force_login(user)
    c = Client()
    c.force_login(a)
    c.post(f"/papers/{papers[0].arxiv_id}/vote", {"action": "up"})
    c2 = Client()
    c2.force_login(b)
    c2.post(f"/papers/{papers[0].arxiv_id}/vote", {"action": "up"})
    html = c.get("/trending?window=day").content.decode()
    assert html.count('aria-pressed="true"') == 1
    assert '<span class="vote-count">2</span>' in html
    # anonymous readers see the count and a log-in link, no form
    anonymous = client.get("/trending?window=day").content.decode()
    assert '<span class="vote-count">2</span>' in anonymous
    assert "/accounts/login?next=" in anonymous and "vote-form" not in anonymous


@pytest.mark.django_db
def test_anonymous_votes_go_to_log_in_and_bad_actions_are_refused(client):
    paper = load_papers(5)[0]
    response = client.post(f"/papers/{paper.arxiv_id}/vote", {"action": "up"})
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login")
    assert (
        client.post(
            f"/papers/{paper.arxiv_id}/vote", {"action": "up"}, headers={"HX-Request": "true"}
        ).status_code
        == 401
    )
    assert client.get(f"/papers/{paper.arxiv_id}/vote").status_code == 405
    client.force_login(make_reader())
    assert client.post(f"/papers/{paper.arxiv_id}/vote", {"action": "x"}).status_code == 400
    assert client.post("/papers/2101.99999/vote", {"action": "up"}).status_code == 404
    assert not Vote.objects.exists()


@pytest.mark.django_db
def test_votes_need_csrf_and_are_rate_limited(settings):
    paper = load_papers(5)[0]
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(make_reader())
    assert strict.post(f"/papers/{paper.arxiv_id}/vote", {"action": "up"}).status_code == 403
    settings.PAPERFEED_RATE_LIMITS = {"vote:user": "3/m"}
    client = Client()
    client.force_login(make_reader())
    codes = [
        client.post(f"/papers/{paper.arxiv_id}/vote", {"action": a}).status_code
        for a in ("up", "remove", "up", "remove")
    ]
    assert codes == [302, 302, 302, 429]
    assert votes_of(paper) == 1


def _race(n: int, post) -> list[int]:  # type: ignore[no-untyped-def]
    """Run ``post(i)`` in ``n`` threads released at once; their status codes."""
    # Several connections on one database: the SQLite test database is a file
    # (settings), as PostgreSQL's is a server.
    assert not (connection.vendor == "sqlite" and connection.is_in_memory_db())
    barrier = threading.Barrier(n)
    codes: list[int] = [0] * n
    errors: list[BaseException] = []

    def run(i: int) -> None:
        try:
            barrier.wait(10)
            codes[i] = post(i)
        except BaseException as exc:  # noqa: BLE001 (reported below)
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors, errors
    return codes


@pytest.mark.django_db(transaction=True, available_apps=all_apps())
def test_concurrent_clicks_by_one_reader_count_once():
    paper = load_papers(5)[0]
    reader = make_reader()
    clients = [Client() for _ in range(2)]
    for c in clients:
        c.force_login(reader)
    for _ in range(3):  # a few rounds: vote twice at once, remove twice at once
        codes = _race(
            2,
            lambda i: (
                clients[i].post(f"/papers/{paper.arxiv_id}/vote", {"action": "up"}).status_code
            ),
        )
        assert codes == [302, 302]
        assert Vote.objects.filter(paper=paper).count() == 1 and votes_of(paper) == 1
        _race(
            2,
            lambda i: (
                clients[i].post(f"/papers/{paper.arxiv_id}/vote", {"action": "remove"}).status_code
            ),
        )
        assert Vote.objects.filter(paper=paper).count() == 0 and votes_of(paper) == 0


@pytest.mark.django_db(transaction=True, available_apps=all_apps())
def test_concurrent_votes_by_different_readers_all_count():
    paper = load_papers(5)[0]
    clients = []
    for _ in range(2):
        c = Client()
        c.force_login(make_reader())
        clients.append(c)
    _race(
        2, lambda i: clients[i].post(f"/papers/{paper.arxiv_id}/vote", {"action": "up"}).status_code
    )
    assert Vote.objects.filter(paper=paper).count() == 2 and votes_of(paper) == 2
