"""``paperfeed digest preview|send``.

    paperfeed digest preview --email ADDRESS [--period daily|weekly] [--date D] [--html]
    paperfeed digest send [--period daily|weekly] [--date D] [--dry-run] [--inline]

``send`` without ``--period`` sends the daily digest, and the weekly one too when the
date is the weekly day (``DIGESTS_WEEKLY_DAY``, default 4 = Friday). By default it
enqueues one task per batch of subscribers for ``paperfeed worker`` processes;
``--inline`` sends from this process.
"""

from __future__ import annotations

import datetime as dt
import json

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from paperfeed.digests.addresses import BadAddress, normalise
from paperfeed.digests.compose import Composer, latest_day, period_for
from paperfeed.digests.dispatch import send_period
from paperfeed.digests.models import Frequency, Subscriber
from paperfeed.digests.send import build_message, dry_run
from paperfeed.digests.tokens import manage_token


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"--date {text!r}: expected YYYY-MM-DD") from None


class Command(BaseCommand):
    help = "Preview or send email digests."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        preview = sub.add_parser("preview", help="print the digest a subscriber would get")
        preview.add_argument("--email", required=True)
        preview.add_argument("--period", choices=Frequency.values)
        preview.add_argument("--date", help="YYYY-MM-DD (default: latest announcement day)")
        preview.add_argument("--html", action="store_true", help="print the HTML part too")
        send = sub.add_parser("send", help="send the digests due for a date")
        send.add_argument("--period", choices=Frequency.values)
        send.add_argument("--date", help="YYYY-MM-DD (default: today, UTC)")
        send.add_argument("--dry-run", action="store_true", help="count, send nothing")
        send.add_argument("--inline", action="store_true", help="send here, not via workers")

    def handle(self, *args, action: str, **options) -> None:
        if action == "preview":
            self.preview(options)
        else:
            self.send(options)

    def preview(self, options) -> None:  # type: ignore[no-untyped-def]
        try:
            email = normalise(options["email"])
        except BadAddress as exc:
            raise CommandError(str(exc)) from None
        subscriber = Subscriber.objects.filter(email=email).first()
        if subscriber is None:
            raise CommandError(f"no subscriber {email}")
        day = _date(options["date"]) if options["date"] else latest_day()
        period = period_for(options["period"] or subscriber.frequency, day)
        token = manage_token(subscriber)
        digest = Composer(period).compose(subscriber, token)
        self.stdout.write(f"# subscriber status: {subscriber.status}; period {period.key}")
        if digest is None:
            self.stdout.write("# nothing to send for this period (an empty digest is not sent)")
            return
        message = build_message(subscriber, digest, token, period).message()
        for name in ("From", "To", "Subject", "List-Unsubscribe", "List-Unsubscribe-Post"):
            self.stdout.write(f"{name}: {message[name]}")
        self.stdout.write("")
        self.stdout.write(digest.text)
        if options["html"]:
            self.stdout.write(digest.html)

    def send(self, options) -> None:  # type: ignore[no-untyped-def]
        day = _date(options["date"]) if options["date"] else timezone.now().date()
        if options["period"]:
            kinds = [options["period"]]
        else:
            kinds = [Frequency.DAILY]
            if day.weekday() == int(settings.DIGESTS_WEEKLY_DAY):
                kinds.append(Frequency.WEEKLY)
        for kind in kinds:
            key = period_for(kind, day).key
            if options["dry_run"]:
                self.stdout.write(f"{key} (dry run): {json.dumps(dry_run(kind, day))}")
                continue
            result, batches = send_period(kind, day, inline=options["inline"])
            if options["inline"]:
                self.stdout.write(f"{key}: {json.dumps(result.as_dict())}")
            else:
                self.stdout.write(f"{key}: {batches} batch(es) queued for the workers")
