"""The recommender over real embedded papers: what it returns, what it never returns,
what its reasons say, and how signals move it."""

from __future__ import annotations

import datetime as dt
import io
import json
from dataclasses import replace

import numpy as np
import pytest
from django.core.management import CommandError, call_command

from paperfeed.catalogue.models import Authorship, Paper
from paperfeed.community.models import Collection, CollectionItem, Vote
from paperfeed.recommend import signals
from paperfeed.recommend.models import PaperSignal
from paperfeed.recommend.profile import Profile, profile_for
from paperfeed.recommend.rank import PARAMS, reader_for, reader_model, recommend
from paperfeed.recommend.stateless import BadRequest, Query, run
from paperfeed.search.filters import Filters
from paperfeed.search.vectors import get_vector
from tests.support.community import make_reader

pytestmark = pytest.mark.django_db


def by_category(corpus, code: str) -> list[Paper]:
    return list(
        Paper.objects.filter(id__in=corpus.values(), primary_category_id=code).order_by("id")
    )


def given(papers: list[Paper], negative: list[Paper] = ()) -> Profile:  # type: ignore[assignment]
    return Profile(positive={p.pk: "given" for p in papers}, negative=[p.pk for p in negative])


def test_liked_and_disliked_papers_never_come_back(corpus):
    liked = by_category(corpus, "cs.RO")[:5]
    disliked = by_category(corpus, "cs.CV")[:3]
    found = recommend(given(liked, disliked), limit=len(corpus))
    ids = {r.paper_id for r in found}
    assert ids and not ids & {p.pk for p in liked + disliked}
    scores = [r.score for r in found]
    assert scores == sorted(scores, reverse=True)


def test_ranks_the_liked_topic_first(corpus):
    liked = by_category(corpus, "cs.RO")[:8]
    top = recommend(given(liked), limit=10)
    share = sum(Paper.objects.get(pk=r.paper_id).primary_category_id == "cs.RO" for r in top)
    base = len(by_category(corpus, "cs.RO")) / len(corpus)
    assert share / 10 > base  # better than the category's share of the slice


def test_same_signals_same_ranking(corpus):
    liked = by_category(corpus, "cs.CV")[:4]
    first = [(r.paper_id, r.score) for r in recommend(given(liked), limit=15)]
    assert first == [(r.paper_id, r.score) for r in recommend(given(liked), limit=15)]


def test_a_dislike_lowers_the_papers_nearest_to_it(corpus):
    liked = by_category(corpus, "cs.RO")[:6]
    before = {r.paper_id: r.score for r in recommend(given(liked), limit=len(corpus))}
    disliked = Paper.objects.get(pk=next(iter(before)))  # the top recommendation
    after = {r.paper_id: r.score for r in recommend(given(liked, [disliked]), limit=len(corpus))}
    assert disliked.pk not in after
    target = get_vector(disliked.pk)
    near = sorted(after, key=lambda pk: -float(get_vector(pk) @ target))[:10]
    assert np.mean([after[pk] for pk in near]) < np.mean([before[pk] for pk in near])


def test_date_window_keeps_to_its_days(corpus):
    liked = by_category(corpus, "cs.RO")[:5]
    days = sorted(
        set(Paper.objects.filter(id__in=corpus.values()).values_list("announced", flat=True))
    )
    day = days[-1]
    found = recommend(given(liked), since=day, until=day, limit=50)
    assert len(found) == 50
    assert {Paper.objects.get(pk=r.paper_id).announced for r in found} == {day}
    assert recommend(given(liked), since=day + dt.timedelta(days=1), limit=50) == []
    assert recommend(given(liked), until=day - dt.timedelta(days=1), limit=50) == []


def test_reasons_name_the_liked_paper_with_the_largest_share(corpus):
    liked = by_category(corpus, "cs.RO")[:4]
    profile = Profile(positive={p.pk: "saved" for p in liked})
    top = recommend(profile, limit=5)
    model = reader_model(profile)
    for rec in top:
        shares = model.score(get_vector(rec.paper_id)[None, :]).shares[0]
        largest = liked[int(np.argmax(shares))]
        assert rec.reasons[0].startswith(f"like \u201c{largest.title}\u201d")
        assert rec.reasons[0].endswith("that you saved")


def test_followed_author_and_category_raise_papers_and_say_so(corpus):
    liked = by_category(corpus, "cs.RO")[:4]
    outsider = by_category(corpus, "cs.CV")[-1]
    author = Authorship.objects.filter(paper=outsider).order_by("position").first().author
    plain = [r.paper_id for r in recommend(given(liked), limit=len(corpus))]
    profile = given(liked)
    profile.authors = {author.pk}
    found = recommend(profile, limit=len(corpus))
    ranked = [r.paper_id for r in found]
    assert ranked.index(outsider.pk) < plain.index(outsider.pk)
    rec = found[ranked.index(outsider.pk)]
    assert f"by {author.name}, whom you follow" in rec.reasons
    profile = given(liked)
    profile.categories = {"cs.CV"}
    rec = next(r for r in recommend(profile, limit=len(corpus)) if r.paper_id == outsider.pk)
    assert any(r.startswith("in cs.CV") and r.endswith("which you follow") for r in rec.reasons)


def test_liked_categories_raise_their_papers_and_say_so(corpus):
    """The share of liked papers in a candidate's primary category adds to its score,
    named as a reason when it is a large share, unnamed when small."""
    robots = by_category(corpus, "cs.RO")
    liked = robots[:5] + by_category(corpus, "cs.CV")[:1]
    without = replace(PARAMS, liked_category_weight=0.0)
    plain = recommend(given(liked), limit=20, params=without)
    found = recommend(given(liked), limit=20, params=replace(PARAMS, liked_category_weight=2.0))
    in_robots = {p.pk for p in robots}

    def share(results):  # type: ignore[no-untyped-def]
        return sum(r.paper_id in in_robots for r in results)

    assert share(found) > share(plain)
    for rec in found:
        if rec.paper_id in in_robots:
            assert "in cs.RO, like 5 of the 6 papers you liked" in rec.reasons
        else:  # cs.CV is 1 of 6: it adds a little, but is not a reason
            assert not any(r.startswith("in cs.CV, like") for r in rec.reasons)
    assert not any("of the 6 papers you liked" in r for rec in plain for r in rec.reasons)
    # the reader's own verb when every liked paper came the same way
    own = Profile(positive={p.pk: PaperSignal.CLAIMED for p in robots[:4]}, user_id=1)
    reasons = [r for rec in recommend(own, limit=10) for r in rec.reasons]
    assert "in cs.RO, like all 4 papers you wrote" in reasons


def test_profile_reads_every_signal_and_later_ones_win(corpus):
    reader = make_reader()
    papers = by_category(corpus, "cs.RO")[:5]
    Vote.objects.create(user=reader, paper=papers[0])
    collection = Collection.objects.create(owner=reader, name="to read")
    CollectionItem.objects.create(collection=collection, paper=papers[1])
    signals.set_signal(reader, papers[2], PaperSignal.MORE)
    signals.claim(reader, [papers[3]])
    Vote.objects.create(user=reader, paper=papers[4])
    signals.set_signal(reader, papers[4], PaperSignal.NOT_INTERESTED)
    profile = profile_for(reader)
    assert profile.positive == {
        papers[0].pk: "vote",
        papers[1].pk: "saved",
        papers[2].pk: PaperSignal.MORE,
        papers[3].pk: PaperSignal.CLAIMED,
    }
    assert profile.negative == [papers[4].pk]
    other = make_reader()
    assert profile_for(other).empty
    found = recommend(profile, limit=len(corpus))
    assert papers[4].pk not in {r.paper_id for r in found}


def test_stateless_validation(corpus):
    paper = by_category(corpus, "cs.RO")[0]
    with pytest.raises(BadRequest, match="not in the catalogue: 2503.99999"):
        run(Query(like=(paper.arxiv_id, "2503.99999")))
    with pytest.raises(BadRequest, match="not an arXiv id"):
        run(Query(like=("nonsense",)))
    with pytest.raises(BadRequest, match="too many ids"):
        run(Query(like=tuple(f"2503.{i:05d}" for i in range(101))))
    with pytest.raises(BadRequest, match="limit"):
        run(Query(like=(paper.arxiv_id,), limit=0))
    with pytest.raises(BadRequest, match="at least one"):
        run(Query(like=()))


def test_recommend_command(corpus, capsys, monkeypatch):
    liked = by_category(corpus, "cs.RO")[:3]
    disliked = by_category(corpus, "cs.CV")[0]
    ids = [p.arxiv_id for p in liked]
    call_command(
        "recommend", "--like", *ids, "--dislike", disliked.arxiv_id, "--limit", "5", "--json"
    )
    out = json.loads(capsys.readouterr().out)
    assert len(out["results"]) == 5
    assert set(out["results"][0]) == {"id", "score", "reason"}
    assert not {r["id"] for r in out["results"]} & {*ids, disliked.arxiv_id}
    call_command("recommend", "--like", *ids, "--limit", "2")
    text = capsys.readouterr().out
    assert "  1. " in text and "like \u201c" in text
    lines = [
        json.dumps({"like": ids[:1]}),
        json.dumps({"like": ["2503.99999"]}),
        json.dumps({"like": ids, "dislike": [disliked.arxiv_id], "limit": 3}),
    ]
    monkeypatch.setattr("sys.stdin", io.StringIO("\n".join(lines) + "\n"))
    with pytest.raises(CommandError, match="1 line"):
        call_command("recommend", "-")
    answers = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert len(answers) == 3
    assert len(answers[0]["results"]) == 20 and len(answers[2]["results"]) == 3
    assert "2503.99999" in answers[1]["error"]
    with pytest.raises(CommandError, match="not in the catalogue"):
        call_command("recommend", "--like", "2503.99999")


def test_visitors_see_the_day_ranked_by_the_communitys_interests(corpus, client, settings):
    from paperfeed.recommend import community

    community.forget()
    liked = by_category(corpus, "cs.RO")[:4]
    assert "which readers here liked" not in client.get("/for-you").content.decode()
    settings.PAPERFEED_COMMUNITY_RANKING = True
    for paper in liked:
        Vote.objects.create(user=make_reader(), paper=paper)
    page = client.get("/for-you?window=all").content.decode()
    community.forget()
    assert "which readers here liked" in page
    for paper in liked:  # voted papers are the profile, never recommended back
        assert f'href="/papers/{paper.arxiv_id}"' not in page


def test_a_liked_paper_without_a_vector_yet_does_not_shift_the_reasons(corpus):
    from paperfeed.search import vectors
    from paperfeed.search.models import PaperEmbedding

    liked = by_category(corpus, "cs.RO")[:4]
    PaperEmbedding.objects.filter(paper=liked[0]).delete()
    vectors.clear_caches()
    try:
        profile = Profile(positive={p.pk: "saved" for p in liked})
        model = reader_model(profile)
        assert model.positive_ids == [p.pk for p in liked[1:]]
        for rec in recommend(profile, limit=5):
            shares = model.score(get_vector(rec.paper_id)[None, :]).shares[0]
            largest = liked[1 + int(np.argmax(shares))]
            assert rec.reasons[0].startswith(f"like \u201c{largest.title}\u201d")
    finally:
        vectors.clear_caches()


def test_a_readers_model_is_fitted_once_until_what_it_learns_from_changes(corpus):
    """A reload, another tab or the digest reuse the fitted model; a new mark, or a
    liked paper's vector arriving after the like, fits it again."""
    from paperfeed.search import vectors
    from paperfeed.search.models import PaperEmbedding

    liked = by_category(corpus, "cs.RO")[:4]
    first = reader_for(given(liked))
    assert reader_for(given(liked)) is first
    after = reader_for(given(liked, by_category(corpus, "cs.CV")[:1]))
    assert after is not first and len(after.model.negatives) == 1
    assert reader_for(given(liked, by_category(corpus, "cs.CV")[:1])) is after

    row = PaperEmbedding.objects.get(paper=liked[0])
    kept = {f.attname: getattr(row, f.attname) for f in PaperEmbedding._meta.concrete_fields}
    row.delete()
    vectors.forget_state()  # as this process's own writes do
    try:
        before = reader_for(given(liked))
        assert before.model.positive_ids == [p.pk for p in liked[1:]]
        PaperEmbedding.objects.create(**kept)
        vectors.forget_state()
        assert reader_for(given(liked)).model.positive_ids == [p.pk for p in liked]
    finally:
        vectors.clear_caches()


def test_a_windows_authors_are_found_from_its_bylines_as_from_the_authors_side(corpus):
    """Within a day or a week the liked and followed authors' papers come from the
    window's bylines (read once for every reader); they are the papers the authors'
    side finds, with the same authors."""
    from paperfeed.recommend.rank import _authored

    days = sorted(
        set(Paper.objects.filter(id__in=corpus.values()).values_list("announced", flat=True))
    )
    window = Filters(date_from=days[0], date_to=days[-1])
    in_window = window.paper_ids().array.tolist()
    profile = given(by_category(corpus, "cs.RO")[:6])
    followed = Authorship.objects.filter(paper_id=in_window[0]).values_list("author", flat=True)
    profile.authors = set(followed)
    reader = reader_for(profile)
    fast = _authored(profile, reader, window)
    slow = _authored(profile, reader, Filters(), among=in_window)
    assert len(fast.newest) >= 2 and in_window[0] in fast.by_paper
    assert fast.newest == sorted(fast.newest, reverse=True) == slow.newest
    assert {pk: sorted(found) for pk, found in fast.by_paper.items()} == {
        pk: sorted(found) for pk, found in slow.by_paper.items()
    }


def test_a_window_ranks_its_papers_as_the_whole_catalogue_does(corpus):
    """A window's papers are scored from the window's shared vectors, bylines and
    per-category lists; over a window holding every paper that must give the scores
    and reasons of the whole-catalogue path, which reads them by paper."""
    days = sorted(
        set(Paper.objects.filter(id__in=corpus.values()).values_list("announced", flat=True))
    )
    liked = by_category(corpus, "cs.RO")[:5]
    outsider = by_category(corpus, "cs.CV")[-1]
    profile = given(liked, by_category(corpus, "cs.LG")[:2])
    profile.authors = set(
        Authorship.objects.filter(paper=outsider).values_list("author", flat=True)
    )
    profile.categories = {"cs.CV"}
    everything = {
        r.paper_id: (round(r.score, 4), r.reasons) for r in recommend(profile, limit=len(corpus))
    }
    window = {
        r.paper_id: (round(r.score, 4), r.reasons)
        for r in recommend(profile, since=days[0], until=days[-1], limit=len(corpus))
    }
    # the window: every paper but the 7 marked; the whole catalogue: its candidates
    assert len(window) == len(corpus) - 7 and len(everything) > 100
    assert {pk: window[pk] for pk in everything} == everything
    reasons = [r for _, said in window.values() for r in said]
    assert any(r.endswith("whom you follow") for r in reasons)
    assert "in cs.CV, which you follow" in reasons
    assert "in cs.RO, like all 5 papers you liked" in reasons
