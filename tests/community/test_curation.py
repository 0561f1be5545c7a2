"""Curators: feature a paper on a day, hide a paper, ban an account; each logged;
readers and anonymous visitors cannot; the admin serves curators too."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import User
from django.core import mail
from django.core.cache import cache
from django.utils import timezone

from paperfeed.accounts.models import Session
from paperfeed.accounts.sessions import SessionStore
from paperfeed.community.curation import ban
from paperfeed.community.models import CurationLog, PaperState, Vote
from paperfeed.community.votes import cast
from paperfeed.trending.ranking import trending_papers
from paperfeed.web.responses import clear_page_cache
from tests.support.community import PASSWORD, load_papers, make_curator, make_reader

pytestmark = pytest.mark.django_db


def test_feature_and_hide_are_logged_with_who_and_when(client):
    papers = load_papers(120)
    curator = make_curator("cleo")
    client.force_login(curator)
    old = papers[-1]
    last_day = papers[0].announced
    response = client.post(
        f"/papers/{old.arxiv_id}/curate",
        {"action": "feature", "day": last_day.isoformat(), "note": "great"},
    )
    assert response.status_code == 302
    assert PaperState.objects.get(paper=old).day == last_day
    assert old.arxiv_id in [p.arxiv_id for p in trending_papers("day", limit=200)]

    top = trending_papers("day")[0]
    client.post(f"/papers/{top.arxiv_id}/curate", {"action": "hide"})
    assert top.arxiv_id not in [p.arxiv_id for p in trending_papers("day", limit=200)]
    client.post(f"/papers/{top.arxiv_id}/curate", {"action": "unhide"})
    assert top.arxiv_id in [p.arxiv_id for p in trending_papers("day", limit=200)]

    log = list(CurationLog.objects.order_by("pk").values_list("actor_name", "action", "day"))
    assert log == [
        ("cleo@example.org", "feature", last_day),
        ("cleo@example.org", "hide", None),
        ("cleo@example.org", "unhide", None),
    ]
    assert all(e.created_at for e in CurationLog.objects.all())
    page = client.get("/curate/log").content.decode()
    assert "cleo@example.org" in page and old.arxiv_id in page


def test_ban_deactivates_ends_sessions_and_drops_votes(client):
    paper = load_papers(5)[0]
    spammer = make_reader("spammer")
    cast(spammer, paper)
    spam_client = type(client)()
    spam_client.force_login(spammer)
    curator = make_curator()
    client.force_login(curator)
    response = client.post("/curate/accounts", {"email": "spammer@example.org", "action": "ban"})
    assert response.status_code == 302
    spammer.refresh_from_db()
    assert not spammer.is_active and spammer.profile.banned
    assert not Vote.objects.exists() and PaperState.objects.get(paper=paper).votes == 0
    assert spam_client.get("/accounts/profile").status_code == 302  # logged out
    assert not type(client)().login(username="spammer@example.org", password=PASSWORD)
    entry = CurationLog.objects.get(action="ban")
    assert entry.target_user == spammer and entry.actor == curator
    # banned accounts cannot sign up again with the same address (the page answers as
    # for any address; nothing changes and nothing is sent)
    anonymous = type(client)()
    again = anonymous.post(
        "/accounts/signup",
        {"email": "spammer@example.org", "password1": PASSWORD + "x", "password2": PASSWORD + "x"},
    )
    assert again.status_code == 200 and mail.outbox == []
    spammer.refresh_from_db()
    assert spammer.profile.banned and not spammer.is_active
    assert spammer.check_password(PASSWORD)
    client.post("/curate/accounts", {"user_id": spammer.pk, "action": "unban"})
    spammer.refresh_from_db()
    assert spammer.is_active and not spammer.profile.banned


def test_a_ban_ends_exactly_the_banned_accounts_sessions(client):
    spammer, reader = make_reader("spammer"), make_reader("reader")
    laptop, phone, other, visitor = (type(client)() for _ in range(4))
    assert laptop.login(username=spammer.email, password=PASSWORD)
    phone.force_login(spammer)
    other.force_login(reader)
    anonymous = visitor.session  # an anonymous visitor's session
    anonymous["seen"] = True
    anonymous.save()
    assert Session.objects.filter(user_id=spammer.pk).count() == 2
    ban(make_curator(), spammer)
    assert set(Session.objects.values_list("user_id", flat=True)) == {reader.pk, None}
    for device in (laptop, phone):  # logged out on the next request
        assert device.get("/accounts/profile").status_code == 302
        assert "_auth_user_id" not in device.session
    assert other.get("/accounts/profile").status_code == 200


def test_a_deactivated_account_is_logged_out_even_before_its_sessions_go(client):
    """Sessions are deleted in the ban's own transaction; even without that, Django's
    ModelBackend.get_user() refuses an inactive account, so the session of a banned
    reader is anonymous from its next request on."""
    reader = make_reader()
    client.force_login(reader)
    User.objects.filter(pk=reader.pk).update(is_active=False)
    assert Session.objects.filter(user_id=reader.pk).exists()
    assert client.get("/accounts/profile").status_code == 302


def test_a_ban_takes_a_fixed_number_of_queries_however_many_sessions_exist(
    client, django_assert_max_num_queries
):
    paper = load_papers(5)[0]
    curator, spammer = make_curator(), make_reader("spammer")
    cast(spammer, paper)
    others = [make_reader() for _ in range(4)]
    expires = timezone.now() + dt.timedelta(days=14)
    Session.objects.bulk_create(
        Session(
            session_key=f"other{i:035d}",
            session_data=SessionStore().encode({"_auth_user_id": str(others[i % 4].pk)}),
            expire_date=expires,
            user_id=others[i % 4].pk,
        )
        for i in range(200)
    )
    for _ in range(3):
        type(client)().force_login(spammer)
    # 16 today (the profile, the account, its votes and their recount, the revisions
    # of the days they count for, the log) and a savepoint's two; the old code decoded
    # every session on the site, one more query per session deleted.
    with django_assert_max_num_queries(18) as captured:
        ban(curator, spammer)
    touching = [q["sql"] for q in captured.captured_queries if "accounts_session" in q["sql"]]
    assert len(touching) == 1 and touching[0].startswith("DELETE")
    assert Session.objects.count() == 200 and not Session.objects.filter(user_id=spammer.pk)


@pytest.mark.parametrize("who", ["anonymous", "reader"])
def test_only_curators_curate(client, who):
    paper = load_papers(5)[0]
    victim = make_reader("victim")
    if who == "reader":
        client.force_login(make_reader())
    feature = client.post(f"/papers/{paper.arxiv_id}/curate", {"action": "hide"})
    banned = client.post("/curate/accounts", {"user_id": victim.pk, "action": "ban"})
    log = client.get("/curate/log")
    expected = 302 if who == "anonymous" else 403
    assert (feature.status_code, banned.status_code, log.status_code) == (expected,) * 3
    assert not CurationLog.objects.exists() and User.objects.get(pk=victim.pk).is_active
    assert not PaperState.objects.filter(hidden=True).exists()


def test_curators_cannot_ban_themselves_or_admins(client):
    curator = make_curator()
    admin = User.objects.create_superuser("root@example.org", "root@example.org", PASSWORD)
    client.force_login(curator)
    assert (
        client.post("/curate/accounts", {"user_id": curator.pk, "action": "ban"}).status_code == 403
    )
    assert (
        client.post("/curate/accounts", {"user_id": admin.pk, "action": "ban"}).status_code == 403
    )


def test_curator_tools_show_on_the_paper_page_only_for_curators(client):
    paper = load_papers(5)[0]
    client.force_login(make_reader())
    assert "Hide from trending" not in client.get(f"/papers/{paper.arxiv_id}").content.decode()
    client.force_login(make_curator())
    assert "Hide from trending" in client.get(f"/papers/{paper.arxiv_id}").content.decode()


def test_admin_serves_curators(client):
    paper = load_papers(5)[0]
    curator = make_curator()
    curator.is_staff = True
    curator.save()
    client.force_login(curator)
    assert client.get("/admin/community/curationlog/").status_code == 200
    assert client.get("/admin/community/vote/").status_code == 200
    response = client.post(
        "/admin/community/feature/add/",
        {"paper": paper.pk, "day": "2025-04-01", "curator": ""},
    )
    assert response.status_code == 302
    assert CurationLog.objects.get().action == "feature"
    assert PaperState.objects.get(paper=paper).featured_on == dt.date(2025, 4, 1)
    # the log itself is read-only, even in the admin
    entry = CurationLog.objects.get()
    assert (
        client.post(f"/admin/community/curationlog/{entry.pk}/delete/", {"post": "yes"}).status_code
        == 403
    )


def test_ban_function_is_logged(db):
    curator, target = make_curator(), make_reader()
    ban(curator, target)
    assert CurationLog.objects.filter(action="ban", target_user=target).exists()


def test_a_hidden_paper_leaves_every_list_but_keeps_its_page(client):
    papers = load_papers(120)
    hidden = papers[0]
    day = hidden.announced.isoformat()
    code = hidden.primary_category_id
    lists = [
        f"/?date={day}",
        f"/categories/{code}",
        f"/api/papers?date={day}&limit=200",
        f"/feeds/daily.atom?category={code}",
    ]
    for url in lists:
        assert hidden.arxiv_id in client.get(url).content.decode()
    client.force_login(make_curator("hal"))
    client.post(f"/papers/{hidden.arxiv_id}/curate", {"action": "hide"})
    client.logout()
    cache.clear()
    clear_page_cache()
    for url in lists:
        response = client.get(url)
        assert response.status_code == 200
        assert hidden.arxiv_id not in response.content.decode(), url
    assert client.get(f"/papers/{hidden.arxiv_id}").status_code == 200
