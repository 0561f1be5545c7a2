"""``paperfeed stats [--json]``: what the catalogue holds, and what other apps add
through ``collect_stats`` (the search index, the task queue)."""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandParser
from django.db.models import Count

from paperfeed.catalogue.models import Author, Category, Paper, Version
from paperfeed.catalogue.signals import collect_stats


def catalogue_stats() -> dict:
    by_category = dict(
        Paper.objects.values_list("primary_category")
        .annotate(n=Count("*"))
        .order_by("-n", "primary_category")
        .values_list("primary_category", "n")
    )
    by_date = dict(
        Paper.objects.exclude(announced=None)
        .values_list("announced")
        .annotate(n=Count("*"))
        .order_by("announced")
        .values_list("announced", "n")
    )
    stats: dict = {
        "papers": Paper.objects.count(),
        "versions": Version.objects.count(),
        "authors": Author.objects.count(),
        "categories": Category.objects.count(),
        "by_primary_category": {str(k): v for k, v in by_category.items()},
        "by_listing_date": {d.isoformat(): n for d, n in by_date.items() if d},
    }
    # Other apps' parts (search: "index" and "tasks"), without the catalogue knowing them.
    for _receiver, sections in collect_stats.send(sender=catalogue_stats):
        stats.update(sections or {})  # type: ignore[arg-type]  # django-stubs: Signal.send types responses as str
    return stats


class Command(BaseCommand):
    help = (
        "Count papers, versions, authors; papers by primary category and by listing date;"
        " the search index and the task queue."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--json", action="store_true", help="machine-readable output")

    def handle(self, *args, json: bool = False, **options) -> None:  # noqa: A002
        stats = catalogue_stats()
        if json:
            self.stdout.write(_dumps(stats))
            return
        self.stdout.write(
            f"papers {stats['papers']:,}  versions {stats['versions']:,}  "
            f"authors {stats['authors']:,}  categories {stats['categories']:,}"
        )
        if "index" in stats:
            index, tasks = stats["index"], stats.get("tasks", {})
            self.stdout.write(
                f"search index: keyword {index['keyword']:,}  embedded {index['embedded']:,}"
                f" of {stats['papers']:,} papers; tasks waiting {tasks.get('waiting', 0):,}"
                f"  running {tasks.get('running', 0):,}"
            )
        if stats["by_listing_date"]:
            days = list(stats["by_listing_date"])
            self.stdout.write(f"listing dates {days[0]} .. {days[-1]} ({len(days)} days)")
        self.stdout.write("top primary categories:")
        for code, n in list(stats["by_primary_category"].items())[:15]:
            self.stdout.write(f"  {code:<12} {n:>8,}")


def _dumps(data: dict) -> str:
    return json.dumps(data, indent=2)
