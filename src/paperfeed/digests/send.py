"""Delivery and the send log.

For each (subscriber, period key) a ``SendLog`` row is claimed *before* the message
goes out and marked *after*: ``claimed`` -> ``sent`` | ``failed`` (temporary, retried
by the next run) | ``bounced`` (permanent for this period) | ``empty`` (nothing to
send; recomputed by the next run). A claim older than ``DIGESTS_CLAIM_STALE_MINUTES``
was left by a crashed worker and is taken over. Re-running a period therefore sends
each reader at most one digest and never skips one; the only window for a duplicate
is a crash between the server accepting a message and the ``sent`` write. A batch that
met a claim held by another worker is run again later (tasks.py), so a claim left by a
worker killed mid-send is taken over once stale rather than skipped for the period.

Temporary SMTP failures (4xx, connection refused or dropped) are retried at once with
short backoff (``DIGESTS_RETRY_DELAYS``, default 2 s then 10 s); after that the row is
``failed`` and the batch task re-enqueues itself with longer delays (see tasks.py), as
does a batch whose server stayed unreachable (the rest of it is left unclaimed). Any
later ``digest send`` for the same period also picks them up. A 5xx for the recipient
counts toward ``DIGESTS_SUPPRESS_AFTER`` (default 3); 550 "no such user" suppresses at
once.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import re
import smtplib
import time
from dataclasses import dataclass, fields
from email.utils import formatdate, make_msgid, parseaddr
from urllib.parse import quote, urlsplit

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import IntegrityError, transaction
from django.db.models import F, QuerySet
from django.utils import timezone

from paperfeed import metrics
from paperfeed.digests.compose import Composer, Digest, Period, absolute, period_for
from paperfeed.digests.models import SendLog, Subscriber
from paperfeed.digests.tokens import manage_token

log = logging.getLogger("paperfeed.digests")
State = SendLog.State

_NO_SUCH_USER = re.compile(
    r"5\.1\.1|no such (user|mailbox|recipient)|user unknown|unknown user|does not exist|"
    r"mailbox not found|recipient rejected",
    re.I,
)


def batch_size() -> int:
    return int(settings.DIGESTS_BATCH_SIZE)


def due_subscribers(kind: str) -> QuerySet[Subscriber]:
    """Confirmed, not paused, unsubscribed or suppressed, on this frequency."""
    return Subscriber.objects.filter(
        frequency=kind,
        confirmed_at__isnull=False,
        paused=False,
        unsubscribed_at__isnull=True,
        suppressed_at__isnull=True,
    ).order_by("pk")


# -- the message ---------------------------------------------------------------------


def _from_domain() -> str:
    address = parseaddr(settings.PAPERFEED_FROM_EMAIL)[1]
    return (
        address.rpartition("@")[2] or urlsplit(settings.PAPERFEED_BASE_URL).hostname or "localhost"
    )


def unsubscribe_mailto(token: str) -> str:
    mailbox = settings.DIGESTS_UNSUBSCRIBE_MAILTO or f"unsubscribe@{_from_domain()}"
    return f"mailto:{mailbox}?subject={quote('unsubscribe ' + token)}"


def build_message(
    subscriber: Subscriber,
    digest: Digest,
    token: str,
    period: Period | None = None,
    connection=None,
) -> EmailMultiAlternatives:
    from django.urls import reverse

    one_click = absolute(reverse("digests:unsubscribe", args=[token]))
    headers = {
        "Message-ID": make_msgid(domain=_from_domain()),
        "Date": formatdate(usegmt=True),
        "List-Unsubscribe": f"<{one_click}>, <{unsubscribe_mailto(token)}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        "List-Id": f"paperfeed digest <digest.{_from_domain()}>",
        "Auto-Submitted": "auto-generated",
    }
    if period is not None:
        headers["X-Paperfeed-Period"] = period.key
    message = EmailMultiAlternatives(
        subject=digest.subject,
        body=digest.text,
        from_email=settings.PAPERFEED_FROM_EMAIL,
        to=[subscriber.email],
        headers=headers,
        connection=connection,
    )
    message.attach_alternative(digest.html, "text/html")
    return message


# -- the send log --------------------------------------------------------------------


def _stale_before(now: dt.datetime) -> dt.datetime:
    return now - dt.timedelta(minutes=float(settings.DIGESTS_CLAIM_STALE_MINUTES))


def claim(subscriber_id: int, period_key: str, now: dt.datetime | None = None) -> SendLog | None:
    """The log row for this send, claimed by us; None when it is done or held by a
    live worker."""
    now = now or timezone.now()
    try:
        with transaction.atomic():
            return SendLog.objects.create(
                subscriber_id=subscriber_id, period_key=period_key, claimed_at=now
            )
    except IntegrityError:
        pass
    row = SendLog.objects.filter(subscriber_id=subscriber_id, period_key=period_key).first()
    if row is None:
        return None
    retryable = row.state in (State.FAILED, State.EMPTY) or (
        row.state == State.CLAIMED and row.claimed_at < _stale_before(now)
    )
    if not retryable:
        return None
    # Conditional update: of two workers taking over the same row, one wins.
    won = SendLog.objects.filter(pk=row.pk, state=row.state, claimed_at=row.claimed_at).update(
        state=State.CLAIMED, claimed_at=now
    )
    if not won:
        return None
    row.state, row.claimed_at = State.CLAIMED, now
    return row


def _held(subscriber_id: int, period_key: str) -> bool:
    """Whether another worker holds this send (its claim may go stale if that worker
    died, so the batch must look again later)."""
    return SendLog.objects.filter(
        subscriber_id=subscriber_id, period_key=period_key, state=State.CLAIMED
    ).exists()


def _finish(row: SendLog, state: str, **values) -> None:
    values.update(state=state, finished_at=timezone.now())
    SendLog.objects.filter(pk=row.pk).update(**values)
    if state in (State.SENT, State.FAILED, State.BOUNCED):
        metrics.EMAILS.labels(state).inc()


# -- delivery ------------------------------------------------------------------------


class Temporary(Exception):
    """Worth retrying: 4xx or a connection problem."""


class ServerDown(Temporary):
    """The server cannot be reached or dropped us: stop the batch."""


class Permanent(Exception):
    """5xx for this recipient."""

    def __init__(self, code: int, text: str) -> None:
        super().__init__(f"{code} {text}")
        self.code, self.text = code, text


def _decode(text) -> str:
    return text.decode("utf-8", "replace") if isinstance(text, bytes) else str(text)


def _send_once(connection, message: EmailMultiAlternatives) -> None:
    try:
        # Open explicitly: a backend that opens the connection itself inside
        # send_messages also closes it afterwards (one connection per message).
        if getattr(connection, "connection", False) is None:
            connection.open()
        if connection.send_messages([message]) != 1:
            raise Temporary("the backend did not accept the message")
    except smtplib.SMTPRecipientsRefused as exc:
        code, text = next(iter(exc.recipients.values()))
        if 500 <= code < 600:
            raise Permanent(code, _decode(text)) from None
        raise Temporary(f"{code} {_decode(text)}") from None
    except (smtplib.SMTPSenderRefused, smtplib.SMTPDataError) as exc:
        if 500 <= exc.smtp_code < 600 and not isinstance(exc, smtplib.SMTPSenderRefused):
            raise Permanent(exc.smtp_code, _decode(exc.smtp_error)) from None
        _close(connection)
        raise Temporary(f"{exc.smtp_code} {_decode(exc.smtp_error)}") from None
    except (smtplib.SMTPServerDisconnected, smtplib.SMTPConnectError, OSError) as exc:
        _close(connection)
        raise ServerDown(f"{type(exc).__name__}: {exc}") from None
    except smtplib.SMTPResponseException as exc:
        _close(connection)
        raise Temporary(f"{exc.smtp_code} {_decode(exc.smtp_error)}") from None
    except smtplib.SMTPException as exc:
        _close(connection)
        raise ServerDown(f"{type(exc).__name__}: {exc}") from None


def _close(connection) -> None:
    # a dead connection may fail to QUIT; the next send reopens
    with contextlib.suppress(Exception):
        connection.close()
    if hasattr(connection, "connection"):
        connection.connection = None


def deliver(connection, message: EmailMultiAlternatives, sleep=time.sleep) -> int:
    """Send with retries on temporary failures; returns the attempts used. Raises
    Permanent at once, or the last Temporary/ServerDown when retries run out."""
    delays = list(settings.DIGESTS_RETRY_DELAYS)
    attempt = 0
    while True:
        attempt += 1
        try:
            _send_once(connection, message)
            return attempt
        except Temporary:
            if not delays:
                raise
            sleep(delays.pop(0))


def _bounce(subscriber: Subscriber, error: Permanent) -> bool:
    """Count a permanent failure; suppress the address when warranted. True if now
    suppressed."""
    threshold = int(settings.DIGESTS_SUPPRESS_AFTER)
    Subscriber.objects.filter(pk=subscriber.pk).update(hard_failures=F("hard_failures") + 1)
    subscriber.refresh_from_db(fields=["hard_failures"])
    immediate = error.code == 550 and bool(_NO_SUCH_USER.search(error.text))
    if immediate or subscriber.hard_failures >= threshold:
        reason = f"{error.code} {error.text}"[:300]
        Subscriber.objects.filter(pk=subscriber.pk).update(
            suppressed_at=timezone.now(), suppressed_reason=reason
        )
        log.warning("suppressed subscriber %s after %s", subscriber.pk, reason)
        return True
    return False


@dataclass
class SendResult:
    sent: int = 0
    empty: int = 0
    failed: int = 0
    bounced: int = 0
    suppressed: int = 0
    skipped: int = 0  # already done, or claimed by a live worker
    held: int = 0  # of those skipped, claimed by another worker and not yet sent
    left: int = 0  # not attempted: the server was down

    def add(self, other: SendResult) -> None:
        for f in fields(self):
            setattr(self, f.name, getattr(self, f.name) + getattr(other, f.name))

    def as_dict(self) -> dict[str, int]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


def send_batch(
    kind: str,
    day: dt.date,
    subscriber_ids: list[int],
    composer: Composer | None = None,
    sleep=time.sleep,
) -> SendResult:
    """Send this period's digest to these subscribers over one SMTP connection."""
    period = period_for(kind, day)
    composer = composer or Composer(period)
    result = SendResult()
    subscribers = list(due_subscribers(kind).filter(pk__in=subscriber_ids))
    result.skipped += len(set(subscriber_ids)) - len(subscribers)
    done = set(
        SendLog.objects.filter(
            subscriber_id__in=[s.pk for s in subscribers],
            period_key=period.key,
            state__in=[State.SENT, State.BOUNCED],
        ).values_list("subscriber_id", flat=True)
    )
    connection = get_connection(fail_silently=False)
    try:
        for n, subscriber in enumerate(subscribers):
            if subscriber.pk in done:
                result.skipped += 1
                continue
            row = claim(subscriber.pk, period.key)
            if row is None:
                result.skipped += 1
                result.held += _held(subscriber.pk, period.key)
                continue
            token = manage_token(subscriber)
            try:
                digest = composer.compose(subscriber, token)
            except Exception as exc:
                _finish(row, State.FAILED, error=f"compose: {exc}"[:2000])
                log.exception("composing the digest for subscriber %s failed", subscriber.pk)
                result.failed += 1
                continue
            if digest is None:
                _finish(row, State.EMPTY, papers=0)
                result.empty += 1
                continue
            message = build_message(subscriber, digest, token, period, connection)
            try:
                attempts = deliver(connection, message, sleep=sleep)
            except Permanent as exc:
                _finish(row, State.BOUNCED, attempts=row.attempts + 1, error=str(exc)[:2000])
                result.bounced += 1
                result.suppressed += _bounce(subscriber, exc)
                continue
            except ServerDown as exc:
                _finish(row, State.FAILED, attempts=row.attempts + 1, error=str(exc)[:2000])
                result.failed += 1
                result.left += len(subscribers) - n - 1
                log.warning(
                    "SMTP server unreachable (%s); %d left for the next run", exc, result.left
                )
                break
            except Temporary as exc:
                _finish(row, State.FAILED, attempts=row.attempts + 1, error=str(exc)[:2000])
                result.failed += 1
                continue
            with transaction.atomic():
                _finish(
                    row,
                    State.SENT,
                    attempts=row.attempts + attempts,
                    papers=digest.papers,
                    message_id=message.extra_headers["Message-ID"],
                    error="",
                )
                Subscriber.objects.filter(pk=subscriber.pk).update(
                    last_sent_at=timezone.now(), hard_failures=0
                )
            result.sent += 1
    finally:
        _close(connection)
    return result


def dry_run(kind: str, day: dt.date) -> dict[str, int]:
    """What a send would do, without sending or writing the log."""
    period = period_for(kind, day)
    composer = Composer(period)
    done = set(
        SendLog.objects.filter(
            period_key=period.key, state__in=[State.SENT, State.BOUNCED]
        ).values_list("subscriber_id", flat=True)
    )
    counts = {"due": 0, "would_send": 0, "empty": 0, "already_done": 0, "papers": 0}
    for subscriber in due_subscribers(kind).iterator(chunk_size=500):
        counts["due"] += 1
        if subscriber.pk in done:
            counts["already_done"] += 1
            continue
        body = composer.body(subscriber)
        if body.count:
            counts["would_send"] += 1
            counts["papers"] += body.count
        else:
            counts["empty"] += 1
    return counts
