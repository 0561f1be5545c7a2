"""GitHub stars: the client against a local server replaying real answers (ETag,
rate-limit headers), the refresh-stars command, snapshots and growth, the paper
page's sparkline, code links on cards and added by readers."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command
from django.utils import timezone

from paperfeed.codelinks.extract import RepoRef
from paperfeed.codelinks.github import GitHubClient, RateLimited
from paperfeed.codelinks.links import link
from paperfeed.codelinks.models import CodeLink, CodeRepository, StarSnapshot
from paperfeed.community.models import PaperState
from tests.support.community import load_papers, make_reader

PYGITHUB_STARS = 7122


def test_client_conditional_requests_and_token(github):
    with GitHubClient() as client:
        first = client.repository("PyGithub/PyGithub")
        assert (first.status, first.stars, first.full_name) == (
            200,
            PYGITHUB_STARS,
            "PyGithub/PyGithub",
        )
        assert first.etag.startswith('W/"37ea5857')
        assert client.remaining == 4999
        again = client.repository("PyGithub/PyGithub", first.etag)
        assert again.status == 304 and again.stars is None
        assert client.repository("nobody/nothing").status == 404
        hello = client.repository("octokit-fixture-org/hello-world")
        assert hello.stars == 0
    sent = [{k.lower(): v for k, v in r.headers.items()} for r in github.requests]
    assert all(h["authorization"] == "Bearer test-token" for h in sent)
    assert "if-none-match" not in sent[0] and sent[1]["if-none-match"] == first.etag
    assert sent[0]["accept"] == "application/vnd.github+json"


def test_client_stops_when_the_rate_limit_is_used_up(github):
    github.remaining = 0
    with GitHubClient() as client:
        client.repository("PyGithub/PyGithub")  # answered, but the last one allowed
        with pytest.raises(RateLimited):
            client.repository("octokit-fixture-org/hello-world")
    assert len(github.requests) == 1  # the second was never sent
    github.remaining, github.forbid = 0, True
    with GitHubClient() as client, pytest.raises(RateLimited) as caught:
        client.repository("PyGithub/PyGithub")
    assert caught.value.reset_at > timezone.now().timestamp()


@pytest.mark.django_db
def test_refresh_stars_snapshots_growth_scores_and_pages(client, github):
    papers = load_papers(20)
    paper, other = papers[0], papers[1]
    link(paper, RepoRef("github", "PyGithub/PyGithub"), CodeLink.CURATOR)
    link(other, RepoRef("github", "octokit-fixture-org/hello-world"), CodeLink.ABSTRACT)
    link(other, RepoRef("github", "gone/missing"), CodeLink.ABSTRACT)
    repo = CodeRepository.objects.get(full_name="PyGithub/PyGithub")
    today = timezone.now().date()
    StarSnapshot.objects.create(repository=repo, day=today - dt.timedelta(days=6), stars=6800)
    StarSnapshot.objects.create(repository=repo, day=today - dt.timedelta(days=30), stars=6000)

    out = io.StringIO()
    call_command("refresh_stars", stdout=out, stderr=io.StringIO())
    assert "2 fetched, 0 not modified, 1 missing" in out.getvalue()
    repo.refresh_from_db()
    assert repo.stars == PYGITHUB_STARS and repo.etag and repo.checked_at
    assert StarSnapshot.objects.get(repository=repo, day=today).stars == PYGITHUB_STARS
    assert CodeRepository.objects.get(full_name="gone/missing").missing
    row = PaperState.objects.get(paper=paper)
    assert (row.stars, row.stars_gained) == (PYGITHUB_STARS, PYGITHUB_STARS - 6800)
    assert row.points == pytest.approx((PYGITHUB_STARS - 6800) / 10)

    # the next run asks conditionally: 304s, nothing re-downloaded, missing one skipped
    out = io.StringIO()
    call_command("refresh_stars", stdout=out, stderr=io.StringIO())
    assert "0 fetched, 2 not modified, 0 missing" in out.getvalue()

    page = client.get(f"/papers/{paper.arxiv_id}").content.decode()
    assert '<svg class="sparkline"' in page and "<polyline" in page
    assert f"+{PYGITHUB_STARS - 6800} stars this week" in page
    assert "https://github.com/PyGithub/PyGithub" in page
    cards = client.get("/trending?window=day").content.decode()
    assert f'Code: PyGithub/PyGithub <span class="stars">★ {PYGITHUB_STARS}</span>' in cards


@pytest.mark.django_db
def test_readers_add_code_links_and_anonymous_cannot(client):
    paper = load_papers(5)[0]
    url = f"/papers/{paper.arxiv_id}/code"
    assert client.post(url, {"url": "https://github.com/a/b"}).status_code == 302
    assert not CodeLink.objects.exists()  # anonymous: sent to log in
    reader = make_reader()
    client.force_login(reader)
    assert client.post(url, {"url": "https://example.org/x"}).status_code == 400
    assert client.post(url, {"url": "https://github.com/a/b"}).status_code == 302
    added = CodeLink.objects.get()
    assert (added.source, added.added_by, added.repository.full_name) == ("reader", reader, "a/b")


def test_refresh_stars_runs_daily():
    assert ["refresh_stars"] in django_settings.PAPERFEED_DAILY_JOBS
