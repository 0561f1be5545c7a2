"""``paperfeed subscribers add|import|list|remove``.

    paperfeed subscribers add EMAIL... [--confirmed] [--frequency daily|weekly]
                                       [--categories cs.CV,cs.CL]
    paperfeed subscribers import FILE.csv [--confirmed] [--on-error stop|skip]
    paperfeed subscribers list [--json]
    paperfeed subscribers remove EMAIL...

Without ``--confirmed`` a new address gets the confirmation mail (double opt-in), as
from the web form. The CSV has the columns email[,frequency,categories] (a header row
is optional; categories separated by spaces, commas or semicolons). Bad rows are
reported by line number; with ``--on-error stop`` (the default) nothing is written
and the command fails.
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils import timezone

from paperfeed.digests.addresses import BadAddress, normalise
from paperfeed.digests.models import Frequency, Subscriber
from paperfeed.digests.preferences import parse_categories
from paperfeed.digests.subscribe import request_subscription


@dataclass
class Row:
    email: str
    frequency: str | None = None
    categories: list[str] | None = None


def parse_row(email: str, frequency: str = "", categories: str = "") -> Row:
    try:
        address = normalise(email)
    except BadAddress as exc:
        raise ValueError(f"bad address {email!r}: {exc}") from None
    frequency = (frequency or "").strip().lower()
    if frequency and frequency not in Frequency.values:
        raise ValueError(f"frequency {frequency!r}: use daily or weekly")
    codes = parse_categories(categories.replace(";", ",")) if categories.strip() else None
    return Row(address, frequency or None, codes)


def upsert(row: Row, confirmed: bool) -> tuple[Subscriber, bool]:
    subscriber, created = Subscriber.objects.get_or_create(email=row.email)
    fields = []
    if row.frequency:
        subscriber.frequency = row.frequency
        fields.append("frequency")
    if row.categories is not None:
        subscriber.categories = row.categories
        if "categories" not in (subscriber.sections or []):
            subscriber.sections = ["trending", "categories"]
        fields += ["categories", "sections"]
    if confirmed and (not subscriber.confirmed_at or subscriber.unsubscribed_at):
        subscriber.confirmed_at = subscriber.confirmed_at or timezone.now()
        subscriber.unsubscribed_at = None
        subscriber.confirm_nonce = ""
        fields += ["confirmed_at", "unsubscribed_at", "confirm_nonce"]
    if fields:
        subscriber.save(update_fields=fields)
    return subscriber, created


class Command(BaseCommand):
    help = "Manage digest subscribers."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        add = sub.add_parser("add", help="add or update subscribers")
        add.add_argument("emails", nargs="+", metavar="EMAIL")
        add.add_argument("--confirmed", action="store_true", help="skip the double opt-in")
        add.add_argument("--frequency", choices=Frequency.values)
        add.add_argument("--categories", default="", help="e.g. cs.CV,cs.CL")
        imp = sub.add_parser("import", help="add subscribers from a CSV file")
        imp.add_argument("file", type=Path)
        imp.add_argument("--confirmed", action="store_true", help="skip the double opt-in")
        imp.add_argument("--on-error", choices=["stop", "skip"], default="stop")
        lst = sub.add_parser("list", help="list subscribers")
        lst.add_argument("--json", action="store_true")
        rm = sub.add_parser("remove", help="delete subscribers and everything kept about them")
        rm.add_argument("emails", nargs="+", metavar="EMAIL")

    def handle(self, *args, action: str, **options) -> None:
        getattr(self, f"do_{action}")(options)

    def _apply(self, rows: list[Row], confirmed: bool) -> tuple[int, int]:
        created = updated = 0
        with transaction.atomic():
            results = [(row, *upsert(row, confirmed)) for row in rows]
        for _row, subscriber, was_created in results:
            created += was_created
            updated += not was_created
            if not confirmed:
                request_subscription(subscriber.email)
        return created, updated

    def do_add(self, options) -> None:
        try:
            rows = [
                parse_row(e, options["frequency"] or "", options["categories"])
                for e in options["emails"]
            ]
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        created, updated = self._apply(rows, options["confirmed"])
        state = "confirmed" if options["confirmed"] else "pending confirmation"
        self.stdout.write(f"{created} added, {updated} updated ({state})")

    def do_import(self, options) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"{path}: no such file")
        rows: list[Row] = []
        problems: list[str] = []
        seen: dict[str, int] = {}
        with path.open(newline="", encoding="utf-8-sig") as handle:
            for line, cells in enumerate(csv.reader(handle), start=1):
                cells = [c.strip() for c in cells]
                if not cells or not any(cells):
                    continue
                if line == 1 and cells[0].lower() == "email":
                    continue
                if len(cells) > 3:
                    problems.append(f"line {line}: expected email[,frequency,categories]")
                    continue
                try:
                    row = parse_row(*cells)
                except ValueError as exc:
                    problems.append(f"line {line}: {exc}")
                    continue
                if row.email in seen:
                    problems.append(f"line {line}: {row.email} repeats line {seen[row.email]}")
                    continue
                seen[row.email] = line
                rows.append(row)
        for problem in problems:
            self.stderr.write(problem)
        if problems and options["on_error"] == "stop":
            raise CommandError(
                f"{len(problems)} bad row(s); nothing imported (use --on-error skip to import "
                "the good rows)"
            )
        created, updated = self._apply(rows, options["confirmed"])
        self.stdout.write(f"{created} added, {updated} updated, {len(problems)} skipped")

    def do_list(self, options) -> None:
        rows = [
            {
                "email": s.email,
                "status": s.status,
                "frequency": s.frequency,
                "sections": s.sections,
                "categories": s.categories,
                "max_papers": s.max_papers,
                "created_at": s.created_at.isoformat(),
                "confirmed_at": s.confirmed_at.isoformat() if s.confirmed_at else None,
                "last_sent_at": s.last_sent_at.isoformat() if s.last_sent_at else None,
            }
            for s in Subscriber.objects.order_by("email").iterator(chunk_size=1000)
        ]
        if options["json"]:
            self.stdout.write(json.dumps(rows, indent=1))
            return
        for r in rows:
            cats = ",".join(r["categories"]) or "-"
            self.stdout.write(f"{r['email']}\t{r['status']}\t{r['frequency']}\t{cats}")
        self.stdout.write(f"{len(rows)} subscriber(s)")

    def do_remove(self, options) -> None:
        missing = []
        for email in options["emails"]:
            try:
                address = normalise(email)
            except BadAddress:
                address = email.strip()
            deleted, _ = Subscriber.objects.filter(email=address).delete()
            if deleted:
                self.stdout.write(f"removed {address}")
            else:
                missing.append(address)
        if missing:
            raise CommandError(f"not subscribed: {', '.join(missing)}")
