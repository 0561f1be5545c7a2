"""The daily feed in the reader's own order (``order=for-you``): the recommender's
fit first, each card saying why; another reader's order is their own; visitors get a
clear 400."""

from __future__ import annotations

from collections import Counter

import pytest

from paperfeed.catalogue.models import Paper
from paperfeed.recommend import signals
from paperfeed.recommend.models import PaperSignal
from paperfeed.recommend.rank import fit_of
from paperfeed.web.responses import clear_page_cache
from tests.support.community import FAST_HASHERS, make_reader

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast(settings):
    settings.PASSWORD_HASHERS = FAST_HASHERS


def month_url(corpus, order: str = "for-you") -> str:
    latest = Paper.objects.filter(id__in=corpus.values()).order_by("-announced").first()
    return f"/?date={latest.announced}&span=month&show=all&view=list&order={order}"


def liking(name: str, papers: list[Paper]):  # type: ignore[no-untyped-def]
    reader = make_reader(name)
    for paper in papers:
        signals.set_signal(reader, paper, PaperSignal.MORE)
    return reader


def shown(client, url: str) -> list[Paper]:
    clear_page_cache()
    response = client.get(url)
    assert response.status_code == 200, response.content[:300]
    return response.context["papers"]


def test_for_you_puts_the_liked_topic_first_and_says_why(client, corpus):
    url = month_url(corpus)
    span = shown(client, month_url(corpus, "readers"))  # anonymous default order
    counts = Counter(p.primary_category_id for p in span)
    (topic, _), (other, _) = counts.most_common(2)
    in_topic = [p for p in span if p.primary_category_id == topic]
    in_other = [p for p in span if p.primary_category_id == other]

    robotics = liking("ro", in_topic[:6])
    client.force_login(robotics)
    mine = shown(client, url)
    top = [p.primary_category_id for p in mine[:10]]
    assert top.count(topic) / 10 > counts[topic] / len(span)
    assert mine[0].primary_category_id == topic
    html = client.get(url.replace("&view=list", "")).content.decode()  # cards say why
    assert "For you: like \u201c" in html and 'aria-current="page">For you</a>' in html

    client.force_login(liking("other", in_other[:6]))
    theirs = shown(client, url)
    assert [p.pk for p in theirs[:10]] != [p.pk for p in mine[:10]]
    assert theirs[0].primary_category_id == other


def test_a_not_interested_paper_goes_last(client, corpus):
    span = shown(client, month_url(corpus, "readers"))
    reader = liking("picky", span[:3])
    signals.set_signal(reader, span[3], PaperSignal.NOT_INTERESTED)
    fits = fit_of(reader, [p.pk for p in span])
    assert min(fits, key=lambda pk: fits[pk].score) == span[3].pk
    assert all(fits[span[3].pk].score < f.score for pk, f in fits.items() if pk != span[3].pk)


def test_visitors_get_a_400_and_no_switch(client, corpus):
    clear_page_cache()
    response = client.get(month_url(corpus))
    assert response.status_code == 400
    assert b"sign in" in response.content
    html = client.get(month_url(corpus, "readers")).content.decode()
    assert "order-switch" not in html
