"""Digest test fixtures: a real SMTP server (aiosmtpd on loopback) that records what it
receives and can be told to fail, and a real corpus slice."""

from __future__ import annotations

import asyncio
import email
import email.policy
import socket
import threading
from collections import Counter
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller
from django.db import transaction

from tests.support.corpus import listing_records


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Recorder:
    """An aiosmtpd handler. ``temp_fail[addr] = n`` answers 451 to the next n RCPTs for
    addr (-1: always); ``reject[addr] = (code, text)`` answers a 5xx; ``die_after = n``
    drops every connection once n messages were accepted (a server that dies mid-run)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.messages: list[EmailMessage] = []
        self.temp_fail: dict[str, int] = {}
        self.reject: dict[str, tuple[int, str]] = {}
        self.die_after: int | None = None
        self.rcpt_attempts: Counter[str] = Counter()
        self.sessions = 0
        self.hold: set[str] = set()
        self.holding: set[str] = set()

    @property
    def dead(self) -> bool:
        return self.die_after is not None and len(self.messages) >= self.die_after

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        if self.dead:
            server.transport.abort()
        self.sessions += 1
        session.host_name = hostname
        return responses

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.dead:
            server.transport.abort()
            return "421 4.3.2 going away"
        while address in self.hold:
            self.holding.add(address)
            await asyncio.sleep(0.05)
        self.holding.discard(address)
        with self.lock:
            self.rcpt_attempts[address] += 1
            left = self.temp_fail.get(address, 0)
            if left:
                self.temp_fail[address] = left - 1 if left > 0 else left
                return "451 4.3.0 Try again later"
        if address in self.reject:
            code, text = self.reject[address]
            return f"{code} {text}"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.dead:
            server.transport.abort()
            return "421 4.3.2 going away"
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self.lock:
            self.messages.append(message)
        return "250 Message accepted"

    # helpers for tests
    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if m["To"] == address]

    def recipients(self) -> Counter[str]:
        return Counter(str(m["To"]) for m in self.messages)

    def clear(self) -> None:
        with self.lock:
            self.messages.clear()
            self.rcpt_attempts.clear()


class SmtpServer:
    def __init__(self) -> None:
        self.handler = Recorder()
        self.port = free_port()
        self.controller: Controller | None = None

    def start(self) -> None:
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


@pytest.fixture
def smtp(settings):
    """A running SMTP server that Django's SMTP backend sends to."""
    server = SmtpServer()
    server.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = server.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_TIMEOUT = 5
    settings.DIGESTS_RETRY_DELAYS = [0.01, 0.02]
    yield server
    server.stop()


@pytest.fixture(autouse=True)
def _digest_settings(settings):
    settings.PAPERFEED_BASE_URL = "https://papers.example.org"
    settings.PAPERFEED_FROM_EMAIL = "paperfeed <digest@papers.example.org>"


@pytest.fixture(scope="module")
def corpus(django_db_setup, django_db_blocker):
    """The first 1500 records of the real cs listings; yields the busiest day."""
    from paperfeed.catalogue.ingest import Ingestor

    records = listing_records(1500)
    with django_db_blocker.unblock(), transaction.atomic():
        Ingestor().ingest(records)
        days = Counter(r.announced for r in records if r.announced)
        yield days.most_common(1)[0][0]
        transaction.set_rollback(True)
