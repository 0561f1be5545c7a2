"""Submissions: by arXiv id or URL, fetched from the (replayed) arXiv API when new,
recent papers only, featured on the day with "submitted by", limited."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from paperfeed.catalogue.models import Paper
from paperfeed.community.models import PaperState, Submission
from paperfeed.community.submissions import SubmissionRefused, submit
from paperfeed.trending.ranking import trending_papers
from tests.support.community import load_papers, make_reader

pytestmark = pytest.mark.django_db

RECORDED = "1707.08567"  # a real recorded API answer in tests/fixtures (published 2017-07-27)


def test_submit_a_paper_new_to_the_catalogue_by_url(client, arxiv_api, settings):
    settings.PAPERFEED_SUBMISSION_MAX_AGE_DAYS = 100_000
    reader = make_reader("ada")
    client.force_login(reader)
    assert client.get("/submit").status_code == 200
    response = client.post("/submit", {"paper": f"https://arxiv.org/abs/{RECORDED}v1"})
    assert response.status_code == 302 and response["Location"] == f"/papers/{RECORDED}"
    paper = Paper.objects.get(arxiv_id=RECORDED)
    assert paper.title.startswith("Proceedings of Workshop AEW10")
    assert [r.query["id_list"] for r in arxiv_api.requests] == [RECORDED]
    submission = Submission.objects.get(paper=paper)
    assert submission.submitted_by == reader and submission.day == timezone.now().date()
    row = PaperState.objects.get(paper=paper)
    assert row.featured_on == row.day == timezone.now().date()
    page = client.get(f"/papers/{RECORDED}").content.decode()
    assert "Submitted by <strong>Ada</strong>" in page
    # featured today: it is on today's trending page
    assert [p.arxiv_id for p in trending_papers("day")] == [RECORDED]
    # a second submission of the same paper is refused, and nothing more is fetched
    client.force_login(make_reader())
    again = client.post("/submit", {"paper": RECORDED})
    assert again.status_code == 400 and b"already submitted" in again.content
    assert len(arxiv_api.requests) == 1


def test_only_recent_papers_are_accepted(arxiv_api, settings):
    reader = make_reader()
    with pytest.raises(SubmissionRefused, match="last 14 days"):
        submit(reader, RECORDED)
    # the same paper, submitted by a reader in August 2017
    submission = submit(reader, RECORDED, now=dt.datetime(2017, 8, 5, tzinfo=dt.UTC))
    assert submission.day == dt.date(2017, 8, 5)


def test_papers_in_the_catalogue_are_not_fetched(arxiv_api):
    paper = load_papers(5)[0]
    now = dt.datetime.combine(paper.announced, dt.time(12), tzinfo=dt.UTC)
    submission = submit(make_reader(), f"arXiv:{paper.arxiv_id}", now=now)
    assert submission.paper == paper and arxiv_api.requests == []


def test_unknown_and_invalid_ids(client, arxiv_api):
    client.force_login(make_reader())
    unknown = client.post("/submit", {"paper": "0000.0000"})
    assert unknown.status_code == 400 and b"does not know" in unknown.content
    bad = client.post("/submit", {"paper": "not a paper"})
    assert bad.status_code == 400 and b"not an arXiv id" in bad.content
    assert not Submission.objects.exists()


def test_arxiv_failure_is_a_form_error(client, settings):
    settings.ARXIV_API_URL = "http://127.0.0.1:9/api/query"  # nothing listens there
    settings.ARXIV_MAX_RETRIES = 0
    client.force_login(make_reader())
    response = client.post("/submit", {"paper": "2501.00001"})
    assert response.status_code == 400 and b"could not be reached" in response.content


def test_submissions_need_an_account_and_are_limited(client, arxiv_api, settings):
    response = client.post("/submit", {"paper": RECORDED})
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login")
    settings.PAPERFEED_RATE_LIMITS = {"submit:user": "2/h"}
    client.force_login(make_reader())
    codes = [client.post("/submit", {"paper": "0000.0000"}).status_code for _ in range(3)]
    assert codes == [400, 400, 429]


def test_submitted_and_featured_papers_top_their_days_feed(client):
    papers = load_papers(120)
    day = papers[0].announced
    noon = dt.datetime.combine(day, dt.time(12), tzinfo=dt.UTC)
    submitted, featured = papers[-1], papers[-2]
    submit(make_reader("grace"), submitted.arxiv_id, now=noon)
    from paperfeed.community.curation import feature
    from tests.support.community import make_curator

    feature(make_curator("cora"), featured, day)
    page = client.get(f"/?date={day.isoformat()}").content.decode()
    top = page.split('id="featured-title"', 1)[1].split("</section>", 1)[0]
    assert top.index(submitted.arxiv_id) < top.index(featured.arxiv_id)
    assert "Submitted by Grace" in top and "Featured by the curators" in top
    # only on that day's first page, unfiltered
    filtered = client.get(f"/?date={day}&category={submitted.primary_category_id}")
    assert filtered.status_code == 200
    assert 'id="featured-title"' not in filtered.content.decode()
