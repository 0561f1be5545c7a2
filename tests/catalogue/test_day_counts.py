"""Papers per announcement day (``DayCount``), kept by triggers on the paper table:
after any kind of write they equal a count of the papers, and the day list and the
paper total read them."""

from __future__ import annotations

import datetime as dt
import random

import pytest
from django.core.cache import cache
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.db.models import Count

from paperfeed.catalogue import days
from paperfeed.catalogue.models import DayCount, Paper
from paperfeed.catalogue.version import forget_recent_version

D1, D2, D3 = dt.date(2025, 3, 3), dt.date(2025, 3, 4), dt.date(2025, 3, 5)


def paper(n: int, day: dt.date | None) -> Paper:
    arxiv_id = f"2503.{n:05d}"
    return Paper(
        arxiv_id=arxiv_id,
        title=f"Paper {n}",
        abstract="Text.",
        announced=day,
        abs_url=f"https://arxiv.org/abs/{arxiv_id}",
        pdf_url=f"https://arxiv.org/pdf/{arxiv_id}",
    )


def counted() -> dict[dt.date, int]:
    """The counts as a scan of the papers gives them."""
    rows = Paper.objects.filter(announced__isnull=False).values_list("announced")
    return dict(rows.annotate(n=Count("*")).order_by())


def kept() -> dict[dt.date, int]:
    return dict(DayCount.objects.filter(papers__gt=0).values_list("day", "papers"))


def fresh_days() -> list[tuple[dt.date, int]]:
    forget_recent_version()
    cache.clear()
    return days.days_with_counts()


@pytest.mark.django_db
def test_every_kind_of_write_keeps_the_counts_equal_to_the_papers():
    Paper.objects.bulk_create([paper(i, D1) for i in range(5)] + [paper(9, None)])
    paper(10, D2).save()
    assert kept() == counted() == {D1: 5, D2: 1}

    moved = Paper.objects.get(arxiv_id="2503.00000")
    moved.announced = D2  # one paper to another day
    moved.save()
    Paper.objects.filter(arxiv_id__in=["2503.00001", "2503.00002"]).update(announced=D3)
    Paper.objects.filter(arxiv_id="2503.00009").update(announced=D3)  # from no day
    Paper.objects.filter(arxiv_id="2503.00003").update(announced=None)  # to no day
    Paper.objects.filter(arxiv_id="2503.00010").update(title="A new title")  # day kept
    assert kept() == counted() == {D1: 1, D2: 2, D3: 3}

    Paper.objects.filter(arxiv_id="2503.00004").delete()  # D1 emptied
    with connection.cursor() as cursor:  # a write outside the ORM is counted too
        cursor.execute("DELETE FROM catalogue_paper WHERE arxiv_id = %s", ["2503.00009"])
    assert kept() == counted() == {D2: 2, D3: 2}
    assert DayCount.objects.get(day=D1).papers == 0  # kept, but not listed


@pytest.mark.django_db
def test_random_writes_leave_the_counts_equal_to_the_papers():
    rng = random.Random(7)
    choices = [D1, D2, D3, None]
    Paper.objects.bulk_create([paper(i, rng.choice(choices)) for i in range(60)])
    for _ in range(40):
        ids = rng.sample(range(60), 5)
        arxiv_ids = [f"2503.{i:05d}" for i in ids]
        if rng.random() < 0.3:
            Paper.objects.filter(arxiv_id__in=arxiv_ids[:1]).delete()
        else:
            Paper.objects.filter(arxiv_id__in=arxiv_ids).update(announced=rng.choice(choices))
    assert kept() == counted()


@pytest.mark.django_db
def test_the_day_list_and_the_total_read_the_counts():
    Paper.objects.bulk_create([paper(1, D1), paper(2, D3), paper(3, D3), paper(4, None)])
    assert fresh_days() == [(D1, 1), (D3, 2)]
    assert days.paper_count() == Paper.objects.count() == 4
    # Both read the kept counts: a count the triggers did not keep is what they show.
    DayCount.objects.filter(day=D3).update(papers=7)
    assert fresh_days() == [(D1, 1), (D3, 7)]
    assert days.paper_count() == 9


@pytest.mark.skipif(connection.vendor != "postgresql", reason="TRUNCATE is PostgreSQL's")
@pytest.mark.django_db(transaction=True)
def test_truncating_the_papers_empties_the_counts():
    Paper.objects.bulk_create([paper(1, D1), paper(2, D2)])
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE catalogue_paper CASCADE")
    assert not DayCount.objects.exists()


def migrate(target: tuple[str, str]) -> None:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate([target])


@pytest.mark.django_db(transaction=True)
def test_the_migration_counts_the_papers_already_there():
    migrate(("catalogue", "0005_paper_announced_modified"))
    try:
        with connection.cursor() as cursor:
            for n, day in enumerate(["2025-03-03", "2025-03-03", "2025-03-05", None]):
                cursor.execute(
                    "INSERT INTO catalogue_paper (arxiv_id, title, abstract, comments,"
                    " journal_ref, doi, report_no, license, announced, abs_url, pdf_url,"
                    " created_at, modified_at) VALUES (%s, 'T', 'A', '', '', '', '', '',"
                    " %s, 'https://arxiv.org/abs/x', 'https://arxiv.org/pdf/x',"
                    " CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)",
                    [f"2503.{n:05d}", day],
                )
    finally:
        migrate(("catalogue", "0006_daycount"))
    assert kept() == counted() == {D1: 2, D3: 1}
