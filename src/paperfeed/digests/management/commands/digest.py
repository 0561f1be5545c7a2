"""``paperfeed digest preview|send``.

    paperfeed digest preview --email ADDRESS [--period daily|weekly] [--date D] [--html]
    paperfeed digest send [--period daily|weekly] [--date D] [--dry-run] [--inline]

Both work on the same day: ``--date``, or else the latest announcement day on or before
today (UTC), so a send right after an import sends that import's newest day; both
print which day they used. Sending a day twice sends nobody twice (the send log).
``send`` without ``--period`` sends the daily digest, and the weekly one too when the
day is the weekly day (``DIGESTS_WEEKLY_DAY``, default 4 = Friday). By default it
enqueues one task per batch of subscribers for ``paperfeed worker`` processes;
``--inline`` sends from this process.
"""

from __future__ import annotations

import datetime as dt
import json

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from paperfeed.digests.addresses import BadAddress, normalise
from paperfeed.digests.compose import Composer, latest_day, period_for
from paperfeed.digests.dispatch import send_period
from paperfeed.digests.models import Frequency, Subscriber
from paperfeed.digests.send import build_message, dry_run
from paperfeed.digests.tokens import manage_token
from paperfeed.progress import add_quiet_argument, command_progress


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"--date {text!r}: expected YYYY-MM-DD") from None


def digest_day(option: str | None) -> tuple[dt.date, str]:
    """The day a preview or a send is for, and how it was chosen (one rule for both)."""
    if option:
        return _date(option), "given by --date"
    return latest_day(), "the latest announcement day on or before today, UTC"


DATE_HELP = "YYYY-MM-DD (default: the latest announcement day on or before today)"


class Command(BaseCommand):
    help = "Preview or send email digests."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        preview = sub.add_parser("preview", help="print the digest a subscriber would get")
        preview.add_argument("--email", required=True)
        preview.add_argument("--period", choices=Frequency.values)
        preview.add_argument("--date", help=DATE_HELP)
        preview.add_argument("--html", action="store_true", help="print the HTML part too")
        send = sub.add_parser("send", help="send the digests due for a date")
        send.add_argument("--period", choices=Frequency.values)
        send.add_argument("--date", help=DATE_HELP)
        send.add_argument("--dry-run", action="store_true", help="count, send nothing")
        send.add_argument("--inline", action="store_true", help="send here, not via workers")
        add_quiet_argument(send)

    def handle(self, *args, action: str, **options) -> None:
        if action == "preview":
            self.preview(options)
        else:
            self.send(options)

    def preview(self, options) -> None:
        try:
            email = normalise(options["email"])
        except BadAddress as exc:
            raise CommandError(str(exc)) from None
        subscriber = Subscriber.objects.filter(email=email).first()
        if subscriber is None:
            raise CommandError(f"no subscriber {email}")
        day, how = digest_day(options["date"])
        period = period_for(options["period"] or subscriber.frequency, day)
        self.stdout.write(f"# day {day.isoformat()} ({how})")
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

    def send(self, options) -> None:
        day, how = digest_day(options["date"])
        self.stdout.write(f"day {day.isoformat()} ({how})")
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
            if options["inline"]:
                with command_progress(self, f"send {key}", options, unit="subscribers") as bar:
                    result, batches = send_period(kind, day, progress=bar.report)
            else:
                result, batches = send_period(kind, day, inline=False)
            if options["inline"]:
                self.stdout.write(f"{key}: {json.dumps(result.as_dict())}")
            else:
                self.stdout.write(f"{key}: {batches} batch(es) queued for the workers")
