"""``paperfeed check-deploy``: Django's deployment checks and paperfeed's own (secret
key, allowed hosts, HTTPS, base URL, SMTP, database, pgvector and the memory its search
indexes need). Exits non-zero when anything is reported, so a deploy script can stop on
it."""

from __future__ import annotations

from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Check the settings for a public deployment; non-zero exit on any warning."

    def handle(self, *args, **options) -> None:
        call_command("check", deploy=True, fail_level="WARNING", databases=["default"])
        self.stdout.write("deployment checks passed")
