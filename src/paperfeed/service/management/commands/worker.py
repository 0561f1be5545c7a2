"""``paperfeed worker``: a background task worker (embedding, digests, ...).

Run as many as needed, on any machine that reaches the database.
"""

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "Run a background task worker (all queues)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch", action="store_true", help="run what is queued, then exit")
        parser.add_argument("--interval", type=float, default=1.0)

    def handle(self, *args, batch: bool, interval: float, **options) -> None:
        extra = ["--batch"] if batch else []
        call_command(
            "db_worker", "--queue-name", "*", "--interval", str(interval), "--no-reload", *extra
        )
