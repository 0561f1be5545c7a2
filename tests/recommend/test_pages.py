"""The reader's pages, buttons, tokens, API and digest section, and privacy: signals
are readable by their reader only, and go with the account."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from paperfeed.catalogue.models import Authorship, Category, Paper
from paperfeed.digests.compose import Composer, period_for
from paperfeed.recommend import signals, tokens
from paperfeed.recommend.models import (
    FollowedAuthor,
    FollowedCategory,
    PaperSignal,
    ReaderToken,
    SentPick,
)
from paperfeed.recommend.picks import picks
from tests.digests.helpers import subscriber
from tests.support.community import FAST_HASHERS, load_papers, make_curator, make_reader

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast(settings):
    settings.PASSWORD_HASHERS = FAST_HASHERS


@pytest.fixture
def papers():
    return load_papers(300)


def signalled_reader(papers):  # type: ignore[no-untyped-def]
    """A reader with one of every signal, and a secret title to look for."""
    reader = make_reader()
    signals.set_signal(reader, papers[0], PaperSignal.MORE)
    signals.set_signal(reader, papers[1], PaperSignal.NOT_INTERESTED)
    signals.claim(reader, [papers[2]])
    author = Authorship.objects.filter(paper=papers[3]).first().author
    signals.follow_author(reader, author)
    signals.follow_category(reader, Category.objects.get(code="cs.RO"))
    return reader, author


def test_signal_buttons_set_replace_and_clear(client, papers):
    reader = make_reader()
    client.force_login(reader)
    url = reverse("recommend:signal", args=[papers[0].arxiv_id])
    response = client.post(url, {"action": "more", "next": "/for-you"})
    assert response.status_code == 302 and response["Location"] == "/for-you"
    assert signals.signal_of(reader, papers[0]) == PaperSignal.MORE
    # htmx asking for the buttons gets them, pressed as they now are
    response = client.post(
        url, {"action": "not_interested", "reply": "buttons"}, headers={"HX-Request": "true"}
    )
    html = response.content.decode()
    assert 'class="signal-buttons"' in html
    assert 'value="clear"' in html and 'aria-pressed="true">Not interested' in html
    assert PaperSignal.objects.filter(user=reader).count() == 1
    client.post(url, {"action": "clear"})
    assert signals.signal_of(reader, papers[0]) is None
    assert client.post(url, {"action": "bogus"}).status_code == 400
    # an off-site next is ignored
    response = client.post(url, {"action": "more", "next": "https://evil.example/"})
    assert response["Location"] == reverse("web:paper", args=[papers[0].arxiv_id])


def test_writes_need_a_reader_and_post(client, papers):
    url = reverse("recommend:signal", args=[papers[0].arxiv_id])
    assert client.post(url, {"action": "more"}).status_code == 302  # to log in
    assert not PaperSignal.objects.exists()
    client.force_login(make_reader())
    assert client.get(url).status_code == 405


def test_signals_are_rate_limited(client, papers, settings):
    settings.PAPERFEED_RATE_LIMITS = {"signal:user": "2/m"}
    client.force_login(make_reader())
    url = reverse("recommend:signal", args=[papers[0].arxiv_id])
    codes = [client.post(url, {"action": "more"}).status_code for _ in range(3)]
    assert codes == [302, 302, 429]


def test_follow_and_unfollow(client, papers):
    reader = make_reader()
    client.force_login(reader)
    author = Authorship.objects.filter(paper=papers[0]).first().author
    client.post(reverse("recommend:follow-author", args=[author.pk]))
    client.post(reverse("recommend:follow-author", args=[author.pk]))  # idempotent
    client.post(reverse("recommend:follow-category", args=["cs.CV"]))
    assert FollowedAuthor.objects.filter(user=reader).count() == 1
    assert FollowedCategory.objects.filter(user=reader, category_id="cs.CV").exists()
    client.post(reverse("recommend:follow-author", args=[author.pk]), {"action": "unfollow"})
    assert not FollowedAuthor.objects.filter(user=reader).exists()


def test_for_you_explains_how_to_start_then_ranks_with_reasons(client, papers):
    assert "Log in" in client.get("/for-you").content.decode()
    reader = make_reader()
    client.force_login(reader)
    page = client.get("/for-you").content.decode()
    assert "Start in three clicks" in page and reverse("recommend:start") in page
    signals.follow_category(reader, Category.objects.get(code="cs.RO"))
    response = client.get("/for-you")
    page = response.content.decode()
    assert "which you follow" in page and "Start in three clicks" not in page
    assert "no-cache" in response["Cache-Control"] or "private" in response["Cache-Control"]


def test_claim_by_author_search_paste_and_bibtex(client, papers):
    reader = make_reader()
    client.force_login(reader)
    author = Authorship.objects.filter(paper=papers[5]).first().author
    page = client.get(reverse("recommend:start"), {"author": author.name}).content.decode()
    assert papers[5].arxiv_id in page
    client.post(reverse("recommend:claim"), {"paper": [papers[5].arxiv_id]})
    client.post(reverse("recommend:claim"), {"ids": f"{papers[6].arxiv_id}, 2503.99999"})
    claimed = set(
        PaperSignal.objects.filter(user=reader, kind=PaperSignal.CLAIMED).values_list(
            "paper__arxiv_id", flat=True
        )
    )
    assert claimed == {papers[5].arxiv_id, papers[6].arxiv_id}
    page = client.get(reverse("recommend:start")).content.decode()
    assert "Not in this catalogue (nothing else was lost): 2503.99999" in page
    bib = "@article{mine, eprint = {" + papers[7].arxiv_id + "}}\n"
    bib += "@misc{bad, title = {x}\n@misc{z, title={y}}\n"
    upload = SimpleUploadedFile("mine.bib", bib.encode())
    client.post(reverse("recommend:claim"), {"library": upload})
    page = client.get(reverse("recommend:start")).content.decode()
    assert "mine.bib: BibTeX: entry &#x27;bad&#x27;" in page and "is malformed" in page
    assert not PaperSignal.objects.filter(user=reader, paper=papers[7]).exists()


def test_profile_page_edits_and_exports(client, papers):
    reader, author = signalled_reader(papers)
    client.force_login(reader)
    page = client.get(reverse("recommend:profile")).content.decode()
    for paper in papers[:3]:
        assert paper.title.split()[0] in page
    assert author.name in page and "cs.RO" in page
    data = json.loads(client.get(reverse("recommend:export")).content)
    assert [p["id"] for p in data["more_like_this"]] == [papers[0].arxiv_id]
    assert [p["id"] for p in data["not_interested"]] == [papers[1].arxiv_id]
    assert [p["id"] for p in data["my_papers"]] == [papers[2].arxiv_id]
    assert data["followed_authors"] == [{"id": author.pk, "name": author.name}]
    assert data["followed_categories"] == ["cs.RO"]
    client.post(reverse("recommend:forget"), {"what": "signal", "key": papers[1].arxiv_id})
    client.post(reverse("recommend:forget"), {"what": "category", "key": "cs.RO"})
    assert not PaperSignal.objects.filter(user=reader, paper=papers[1]).exists()
    assert not FollowedCategory.objects.filter(user=reader).exists()


def test_nobody_else_reads_a_readers_signals(client, papers):
    reader, author = signalled_reader(papers)
    feed_token = tokens.issue(reader, tokens.FEED)
    api_token = tokens.issue(reader, tokens.API)
    secret = papers[2].arxiv_id  # claimed by the reader
    anonymous_pages = [
        reverse("recommend:profile"),
        reverse("recommend:export"),
        "/for-you",
    ]
    for url in anonymous_pages:
        body = client.get(url).content.decode()
        assert secret not in body and author.name not in body
    assert client.get("/api/me/recommendations").status_code == 401
    for other in (make_reader(), make_curator()):
        client.force_login(other)
        for url in [*anonymous_pages, reverse("web:paper", args=[secret])]:
            body = client.get(url).content.decode()
            assert "Not interested</button>" not in body or 'aria-pressed="true"' not in body
            if url != reverse("web:paper", args=[secret]):
                assert secret not in body
        data = json.loads(client.get(reverse("recommend:export")).content)
        assert data["my_papers"] == [] and data["followed_authors"] == []
        # removing by key touches only one's own rows
        client.post(reverse("recommend:forget"), {"what": "signal", "key": secret})
        assert PaperSignal.objects.filter(user=reader, paper__arxiv_id=secret).exists()
        client.logout()
    bad = client.get("/api/me/recommendations", headers={"Authorization": "Bearer nope"})
    assert bad.status_code == 401
    assert client.get(reverse("recommend:feed", args=["nope"])).status_code == 404
    assert client.get(reverse("recommend:feed", args=[feed_token])).status_code == 200
    good = client.get("/api/me/recommendations", headers={"Authorization": f"Bearer {api_token}"})
    assert good.status_code == 200
    # revoking ends the old link at once; a new one works
    tokens.revoke(reader, tokens.FEED)
    assert client.get(reverse("recommend:feed", args=[feed_token])).status_code == 404
    renewed = tokens.issue(reader, tokens.API)
    assert tokens.user_for(api_token, tokens.API) is None
    assert tokens.user_for(renewed, tokens.API) == reader


def test_personal_feed_lists_the_week_with_reasons(client, papers):
    reader = make_reader()
    signals.follow_category(reader, Category.objects.get(code="cs.RO"))
    token = tokens.issue(reader, tokens.FEED)
    response = client.get(reverse("recommend:feed", args=[token]))
    body = response.content.decode()
    assert response["Content-Type"].startswith("application/atom+xml")
    assert "private" in response["Cache-Control"]
    assert "in cs.RO, which you follow" in body
    assert body.count("<entry>") > 0


def test_token_page_shows_a_new_token_once(client, papers):
    reader = make_reader()
    client.force_login(reader)
    client.post(reverse("recommend:token", args=["feed"]))
    page = client.get(reverse("recommend:profile")).content.decode()
    assert "/feeds/for-you/" in page
    assert "/feeds/for-you/" not in client.get(reverse("recommend:profile")).content.decode()
    assert ReaderToken.objects.filter(user=reader, purpose="feed").count() == 1
    client.post(reverse("recommend:token", args=["feed"]), {"action": "revoke"})
    assert not ReaderToken.objects.filter(user=reader).exists()


def test_deleting_the_account_deletes_its_signals(papers):
    reader, _ = signalled_reader(papers)
    tokens.issue(reader, tokens.FEED)
    SentPick.objects.create(user=reader, paper=papers[9], period="daily:x")
    other, _ = signalled_reader(papers)
    reader.delete()
    for model in (PaperSignal, FollowedAuthor, FollowedCategory, ReaderToken, SentPick):
        assert not model.objects.filter(user_id=reader.pk).exists()
    assert PaperSignal.objects.filter(user=other).count() == 3


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"positive": ["2503.99999"]}, "not in the catalogue: 2503.99999"),
        ({"positive": ["rubbish"]}, "not an arXiv id"),
        ({"positive": [f"2503.{i:05d}" for i in range(101)]}, "too many ids"),
        ({"positive": ["2503.13303"], "since": "2025-02-30"}, "since: '2025-02-30' is not a date"),
        ({"positive": ["2503.13303"], "limit": 500}, "limit: 500 is not between 1 and 100"),
        ({"positive": []}, "at least one"),
    ],
)
def test_api_validation(client, papers, body, message):
    response = client.post("/api/recommendations", body, content_type="application/json")
    assert response.status_code == 400
    assert message in response.json()["detail"]


def test_api_is_rate_limited(client, papers, settings):
    settings.PAPERFEED_RATE_LIMITS = {"recommend:ip": "1/m"}
    body = {"positive": ["2503.99999"]}
    first = client.post("/api/recommendations", body, content_type="application/json")
    second = client.post("/api/recommendations", body, content_type="application/json")
    assert (first.status_code, second.status_code) == (400, 429)


def test_digest_picks_never_repeat_a_paper(papers):
    reader = make_reader()
    signals.follow_category(reader, Category.objects.get(code="cs.CV"))
    day = max(p.announced for p in papers)
    first = picks(reader, "daily:1", day, day, 5)
    assert len(first) == 5
    assert picks(reader, "daily:1", day, day, 5) == first  # the same period again
    second = picks(reader, "daily:2", day, day, 5)
    assert len(second) == 5 and not set(first) & set(second)
    assert make_reader() and picks(make_reader(), "daily:1", day, day, 5) == []


def test_digest_has_a_picked_for_you_section(papers, settings):
    settings.PAPERFEED_BASE_URL = "https://papers.example.org"
    reader = make_reader()
    signals.follow_category(reader, Category.objects.get(code="cs.RO"))
    day = max(p.announced for p in papers)
    sub = subscriber(reader.email, user=reader, sections=["for_you"], max_papers=3)
    digest = Composer(period_for("daily", day)).compose(sub, "t")
    assert "Picked for you" in digest.text and digest.papers == 3
    shown = [line.split("/papers/")[1] for line in digest.text.splitlines() if "/papers/" in line]
    assert set(shown) == set(
        Paper.objects.filter(
            id__in=SentPick.objects.filter(user=reader).values("paper_id")
        ).values_list("arxiv_id", flat=True)
    )
    anonymous = subscriber("nobody@example.org", sections=["for_you"])
    assert Composer(period_for("daily", day)).compose(anonymous, "t") is None


def test_author_and_category_pages_have_follow_buttons(client, papers):
    author = Authorship.objects.filter(paper=papers[0]).first().author
    author_page = client.get(reverse("web:author-id", args=[author.pk]))["Location"]
    assert "Follow this author" not in client.get(author_page).content.decode()
    reader = make_reader()
    client.force_login(reader)
    assert "Follow this author" in client.get(author_page).content.decode()
    client.post(reverse("recommend:follow-author", args=[author.pk]), {"next": author_page})
    assert "Following this author" in client.get(author_page).content.decode()
    page = client.get(reverse("web:category", args=["cs.CV"])).content.decode()
    assert "Follow cs.CV" in page


def test_the_paper_page_has_signal_buttons_for_readers_only(client, papers):
    paper = papers[0]
    page = reverse("web:paper", args=[paper.arxiv_id])
    assert b"signal-panel" not in client.get(page).content  # visitors: nothing to press
    reader = make_reader()
    client.force_login(reader)
    html = client.get(page).content.decode()
    action = reverse("recommend:signal", args=[paper.arxiv_id])
    assert 'class="signal-panel"' in html and f'action="{action}"' in html
    assert f'hx-post="{action}"' in html and 'aria-pressed="false">More like this' in html
    # the no-JS form: posts, records the signal, comes back to the page pressed
    response = client.post(action, {"action": "more", "next": page})
    assert response.status_code == 302 and response["Location"] == page
    assert signals.signal_of(reader, paper) == PaperSignal.MORE
    assert 'aria-pressed="true">More like this' in client.get(page).content.decode()


def test_cards_have_signal_buttons_for_readers_without_a_query_per_card(client, papers):
    from django.db import connection
    from django.test import RequestFactory
    from django.test.utils import CaptureQueriesContext

    from paperfeed.community import listing
    from paperfeed.web.cards import render_cards

    assert b"signal-item" not in client.get("/?show=all").content  # visitors: none
    reader = make_reader()
    signals.set_signal(reader, papers[0], PaperSignal.NOT_INTERESTED)
    cards = list(listing.card_queryset().filter(pk__in=[p.pk for p in papers[:20]]))

    def render(n: int) -> tuple[str, int]:
        request = RequestFactory().get("/")
        request.user = reader
        with CaptureQueriesContext(connection) as queries:
            html = str(render_cards(request, cards[:n]))
        return html, len(queries)

    few, few_queries = render(2)
    many, many_queries = render(20)
    assert few_queries == many_queries  # the reader's signals are read once
    assert many.count('class="signal-item"') == 20
    pressed = f'<div class="signal-buttons" id="signals-{papers[0].arxiv_id.replace(".", "-")}">'
    part = many[many.index(pressed) :]
    assert 'aria-pressed="true">Not interested' in part[: part.index("</div>")]
    client.force_login(reader)
    assert b'class="signal-item"' in client.get("/?show=all").content


def test_a_signal_moves_the_paper_page_etag(client, papers):
    """Without it a browser revalidating after the no-JS form's redirect got a 304 and
    showed the buttons as they were before the click."""
    from paperfeed.web.responses import clear_page_cache

    paper = papers[0]
    page = reverse("web:paper", args=[paper.arxiv_id])
    client.force_login(make_reader())
    clear_page_cache()
    etag = client.get(page)["ETag"]
    assert client.get(page, headers={"If-None-Match": etag}).status_code == 304
    client.post(reverse("recommend:signal", args=[paper.arxiv_id]), {"action": "more"})
    again = client.get(page, headers={"If-None-Match": etag})
    assert again.status_code == 200 and 'aria-pressed="true">More like this' in again.text


def _listed(client, url: str) -> list[str]:
    response = client.get(url)
    assert response.status_code == 200
    return [p.arxiv_id for p in response.context["papers"]]


def test_not_interested_leaves_the_readers_lists(client, papers):
    """Marked "not interested", a paper leaves that reader's day, trending and
    category lists (not another reader's), and comes back when the mark is removed."""
    from paperfeed.web.responses import clear_page_cache

    clear_page_cache()
    reader = make_reader()
    client.force_login(reader)
    trending = _listed(client, "/trending?window=day")
    victim = next(
        p
        for p in Paper.objects.filter(arxiv_id__in=trending)
        if p.arxiv_id in _listed(client, f"/categories/{p.primary_category_id}")
    )
    day_url = f"/?date={victim.announced}&show=all&view=list&category={victim.primary_category_id}"
    lists = ["/trending?window=day", f"/categories/{victim.primary_category_id}", day_url]
    before = {url: _listed(client, url) for url in lists}
    assert all(victim.arxiv_id in found for found in before.values())
    total = client.get(day_url).context["total"]

    client.post(reverse("recommend:signal", args=[victim.arxiv_id]), {"action": "not_interested"})
    for url in lists:
        after = _listed(client, url)
        assert victim.arxiv_id not in after, url
        assert [a for a in before[url] if a != victim.arxiv_id] == after[: len(before[url]) - 1]
    assert client.get(day_url).context["total"] == total - 1
    # the paper page and search still find it
    assert client.get(reverse("web:paper", args=[victim.arxiv_id])).status_code == 200

    other = make_reader()
    client.force_login(other)
    assert all(victim.arxiv_id in _listed(client, url) for url in lists)

    client.force_login(reader)
    client.post(reverse("recommend:forget"), {"what": "signal", "key": victim.arxiv_id})
    assert all(victim.arxiv_id in _listed(client, url) for url in lists)


def test_follows_move_the_readers_etags_not_the_visitors(client, papers):
    """After following (no JavaScript: the form redirects back), a revalidating browser
    gets the page with the button pressed, not a 304 of the old page; a visitor's
    cached copy of the same page stays valid."""
    from django.test import Client

    from paperfeed.web.responses import clear_page_cache

    clear_page_cache()
    author = Authorship.objects.filter(paper=papers[0]).first().author
    page = client.get(reverse("web:author-id", args=[author.pk]))["Location"]
    visitor = Client()
    visitor_etag = visitor.get(page)["ETag"]
    paper_page = reverse("web:paper", args=[papers[0].arxiv_id])
    visitor_paper_etag = visitor.get(paper_page)["ETag"]

    client.force_login(make_reader())
    for action, shown in [("follow", "Following this author"), ("unfollow", "Follow this author")]:
        etag = client.get(page)["ETag"]
        assert client.get(page, headers={"If-None-Match": etag}).status_code == 304
        client.post(reverse("recommend:follow-author", args=[author.pk]), {"action": action})
        again = client.get(page, headers={"If-None-Match": etag})
        assert again.status_code == 200 and shown in again.text
    category = papers[0].primary_category_id
    category_page = reverse("web:category", args=[category])
    etag = client.get(category_page)["ETag"]
    client.post(reverse("recommend:follow-category", args=[category]), {})
    assert client.get(category_page, headers={"If-None-Match": etag}).status_code == 200
    client.post(reverse("recommend:signal", args=[papers[0].arxiv_id]), {"action": "more"})

    for url, old in [(page, visitor_etag), (paper_page, visitor_paper_etag)]:
        assert visitor.get(url, headers={"If-None-Match": old}).status_code == 304
