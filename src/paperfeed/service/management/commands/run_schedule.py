"""``paperfeed run-schedule [--once]``: run the daily jobs when due (serve does this itself)."""

import time

from django.core.management.base import BaseCommand, CommandParser

from paperfeed.service.schedule import run_due


class Command(BaseCommand):
    help = "Run due daily jobs (fetch-new, ...): once, or checking every minute."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true")
        parser.add_argument("--interval", type=float, default=60.0)

    def handle(self, *args, once: bool, interval: float, **options) -> None:
        while True:
            for run in run_due():
                if run.ok:  # a failure is logged, once, by run_due
                    self.stdout.write(f"{run.job} {run.day}: ok")
            if once:
                return
            time.sleep(interval)
