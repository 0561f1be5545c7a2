"""The per-paper community state moved from trending's table to community's
(community 0005, trending 0003): the rows survive the move, both ways."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("community", "0004_curators_comment_permissions"), ("trending", "0002_ranking_indexes")]
AFTER = [("community", "0005_paper_state"), ("trending", "0003_state_moves_to_community")]


def migrate(targets):  # type: ignore[no-untyped-def]
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_state_rows_survive_the_move_to_community():
    old = migrate(BEFORE)
    Paper = old.get_model("catalogue", "Paper")
    TrendingScore = old.get_model("trending", "TrendingScore")
    paper = Paper.objects.create(arxiv_id="2501.00001", title="A", abstract="B")
    TrendingScore.objects.create(
        paper_id=paper.pk,
        day=dt.date(2025, 1, 2),
        featured_on=dt.date(2025, 1, 2),
        votes=7,
        stars=40,
        stars_gained=12,
        points=8.2,
        hidden=True,
    )
    try:
        new = migrate(AFTER)
        row = new.get_model("community", "PaperState").objects.get(paper_id=paper.pk)
        assert (row.day, row.featured_on, row.votes, row.stars, row.stars_gained) == (
            dt.date(2025, 1, 2),
            dt.date(2025, 1, 2),
            7,
            40,
            12,
        )
        assert row.points == pytest.approx(8.2) and row.hidden is True
        back = migrate(BEFORE)
        assert back.get_model("trending", "TrendingScore").objects.get(paper_id=paper.pk).votes == 7
    finally:
        migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
