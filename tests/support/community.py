"""Accounts and papers for the community tests (accounts, votes, submissions, code
links, trending): readers, a curator, a few real papers from the listings corpus."""

from __future__ import annotations

import itertools

from django.contrib.auth.models import Group, User

from paperfeed.accounts.models import Profile
from paperfeed.catalogue.ingest import Ingestor
from paperfeed.catalogue.models import NEWEST_FIRST, Paper
from tests.support.corpus import listing_records

FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
PASSWORD = "a long enough passphrase 42"
_numbers = itertools.count(1)


def make_reader(name: str | None = None, **extra) -> User:  # type: ignore[no-untyped-def]
    name = name or f"reader{next(_numbers)}"
    email = f"{name}@example.org"
    user = User.objects.create_user(username=email, email=email, password=PASSWORD, **extra)
    Profile.objects.create(user=user, display_name=name.title())
    return user


def make_curator(name: str = "curator") -> User:
    user = make_reader(name)
    # get_or_create: a transactional test's flush empties the group the migration made
    user.groups.add(Group.objects.get_or_create(name="curators")[0])
    return user


def load_papers(n: int = 120) -> list[Paper]:
    """The first ``n`` listed papers (three announcement days for n=711)."""
    Ingestor().ingest(listing_records(n))
    return list(Paper.objects.order_by(*NEWEST_FIRST))


def all_apps() -> list[str]:
    """For ``django_db(transaction=True, available_apps=all_apps())``: with
    available_apps set, the flush after the test truncates with CASCADE, which
    PostgreSQL needs while tables outside the ORM (search's full-text table) point at
    papers."""
    from django.apps import apps

    return [config.name for config in apps.get_app_configs()]
