"""Sending digests to a real SMTP server (aiosmtpd), with faults and re-runs."""

from __future__ import annotations

import datetime as dt
import email.utils
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from paperfeed.digests.dispatch import send_period
from paperfeed.digests.models import SendLog, Subscriber
from tests.digests.helpers import links, parts, subscriber

pytestmark = pytest.mark.django_db

NO_SLEEP = {"sleep": lambda s: None}


def run_queued() -> int:
    """Run the digest tasks that are due, as a worker would (a worker inside a test
    would close the test's database connection)."""
    from django_tasks_db.models import DBTaskResult

    ran = 0
    for row in DBTaskResult.objects.ready().filter(task_path__endswith="send_digest_batch"):
        row.delete()
        row.task.call(*row.args_kwargs["args"], **row.args_kwargs["kwargs"])
        ran += 1
    return ran


def _readers(n, **fields):
    return [subscriber(f"reader{i}@example.org", **fields) for i in range(n)]


def _send(day, kind="daily"):
    result, _ = send_period(kind, day, inline=True)
    return result


def test_every_confirmed_reader_gets_one_digest(corpus, smtp):
    readers = _readers(4)
    subscriber("cats@example.org", categories=["cs.CV"], sections=["categories"], max_papers=5)
    subscriber("pending@example.org", confirmed=False)
    subscriber("paused@example.org", paused=True)
    subscriber("weekly@example.org", frequency="weekly")
    subscriber("left@example.org", unsubscribed_at=timezone.now())
    result = _send(corpus)
    assert result.sent == 5 and result.failed == 0
    assert smtp.handler.sessions == 1  # one SMTP connection for the batch
    expected = {r.email: 1 for r in readers} | {"cats@example.org": 1}
    assert dict(smtp.handler.recipients()) == expected
    assert set(SendLog.objects.values_list("state", flat=True)) == {"sent"}

    again = _send(corpus)  # a re-run sends nothing more
    assert again.sent == 0
    assert dict(smtp.handler.recipients()) == expected

    (cats,) = smtp.handler.to("cats@example.org")
    text, html = parts(cats)
    assert text.count("\n* ") + text.startswith("* ") == 5
    assert "New in cs.CV" in text and "Trending" not in text


def test_message_format_and_links(corpus, smtp):
    sub = subscriber("links@example.org", categories=["cs.CL"])
    _send(corpus)
    (message,) = smtp.handler.to("links@example.org")
    assert message.get_content_type() == "multipart/alternative"
    assert message["From"] == "paperfeed <digest@papers.example.org>"
    message_id = str(message["Message-ID"]).strip()  # a long header may arrive folded
    assert message_id.startswith("<") and message_id.endswith("@papers.example.org>")
    assert email.utils.parsedate_to_datetime(message["Date"]).tzinfo is not None
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    https, mailto = [u.strip().strip("<>") for u in message["List-Unsubscribe"].split(",")]
    assert https.startswith("https://papers.example.org/digests/unsubscribe/")
    assert mailto.startswith("mailto:unsubscribe@papers.example.org?subject=unsubscribe")
    assert SendLog.objects.get().message_id == message_id

    text, html = parts(message)
    for body in (text, html):
        assert "You get this because links@example.org subscribed" in body
        assert "https://papers.example.org/papers/" in body
        assert "https://arxiv.org/abs/" in body
    # HTML that survives mail clients: inline styles, tables, nothing remote or active
    lowered = html.lower()
    assert "<table" in lowered and 'style="' in lowered
    for banned in ("<script", "<img", "<link", "<style", "javascript:", "src="):
        assert banned not in lowered
    assert "http://" not in html.replace("http://www.w3.org", "")

    # the links work when followed
    client = Client()
    (prefs,) = set(links(text, "preferences"))
    assert client.get(prefs).status_code == 200
    one_click = https.removeprefix("https://papers.example.org")
    assert (
        Client(enforce_csrf_checks=True)
        .post(
            one_click,
            "List-Unsubscribe=One-Click",
            content_type="application/x-www-form-urlencoded",
        )
        .status_code
        == 200
    )
    sub.refresh_from_db()
    assert sub.status == "unsubscribed"
    smtp.handler.clear()
    SendLog.objects.all().delete()
    assert _send(corpus).sent == 0 and smtp.handler.messages == []


def test_empty_digest_is_not_sent(corpus, smtp):
    _readers(2)
    quiet = corpus + dt.timedelta(days=400)  # no papers announced that day
    result = _send(quiet)
    assert (result.sent, result.empty) == (0, 2)
    assert smtp.handler.messages == []
    assert set(SendLog.objects.values_list("state", flat=True)) == {"empty"}


def test_temporary_failure_is_retried_within_the_run(corpus, smtp):
    _readers(3)
    smtp.handler.temp_fail["reader1@example.org"] = 2  # 451 twice, then accepted
    result = _send(corpus)
    assert result.sent == 3
    assert smtp.handler.rcpt_attempts["reader1@example.org"] == 3
    assert SendLog.objects.get(subscriber__email="reader1@example.org").attempts == 3


def test_lasting_temporary_failure_is_retried_by_the_next_run(corpus, smtp):
    _readers(4)
    smtp.handler.temp_fail["reader2@example.org"] = -1
    first = _send(corpus)
    assert (first.sent, first.failed) == (3, 1)
    row = SendLog.objects.get(subscriber__email="reader2@example.org")
    assert row.state == "failed" and "451" in row.error
    smtp.handler.temp_fail.clear()
    second = _send(corpus)
    assert (second.sent, second.skipped) == (1, 0)
    assert set(smtp.handler.recipients().values()) == {1}
    assert len(smtp.handler.recipients()) == 4


def test_no_such_user_is_suppressed_at_once(corpus, smtp):
    _readers(3)
    smtp.handler.reject["reader0@example.org"] = (550, "5.1.1 No such user here")
    result = _send(corpus)
    assert (result.sent, result.bounced, result.suppressed) == (2, 1, 1)
    sub = Subscriber.objects.get(email="reader0@example.org")
    assert sub.status == "suppressed" and "550" in sub.suppressed_reason
    smtp.handler.reject.clear()
    next_day = corpus + dt.timedelta(days=1)
    _send(next_day)
    assert "reader0@example.org" not in smtp.handler.recipients()


def test_other_permanent_failures_suppress_after_three(corpus, smtp, settings):
    subscriber("full@example.org")
    smtp.handler.reject["full@example.org"] = (552, "5.2.2 Mailbox full")
    days = sorted(
        {corpus - dt.timedelta(days=n) for n in range(0, 12)}
        & set(
            __import__("paperfeed.catalogue.models", fromlist=["Paper"]).Paper.objects.values_list(
                "announced", flat=True
            )
        )
    )
    assert len(days) >= 4
    for n, day in enumerate(days[:4]):
        result = _send(day)
        if n < 2:
            assert (result.bounced, result.suppressed) == (1, 0)
        elif n == 2:
            assert (result.bounced, result.suppressed) == (1, 1)
        else:
            assert result.bounced == 0 and result.skipped == 0
    assert Subscriber.objects.get().status == "suppressed"
    assert SendLog.objects.filter(state="bounced").count() == 3


def test_refused_connections_then_rerun(corpus, smtp):
    readers = _readers(5)
    smtp.stop()
    result = _send(corpus)
    assert result.sent == 0 and result.failed == 1 and result.left == 4
    smtp.start()
    result = _send(corpus)
    assert result.sent == 5
    assert dict(smtp.handler.recipients()) == {r.email: 1 for r in readers}


def test_server_dies_mid_run_then_rerun(corpus, smtp, settings):
    settings.DIGESTS_BATCH_SIZE = 3
    readers = _readers(8)
    subscriber("gone@example.org", suppressed_at=timezone.now())
    smtp.handler.die_after = 4
    first = _send(corpus)
    assert first.sent == 4 and first.failed >= 1
    smtp.handler.die_after = None
    second = _send(corpus)
    assert first.sent + second.sent == 8
    assert dict(smtp.handler.recipients()) == {r.email: 1 for r in readers}
    third = _send(corpus)
    assert third.sent == 0
    assert dict(smtp.handler.recipients()) == {r.email: 1 for r in readers}


def test_stale_claims_are_taken_over_and_live_ones_respected(corpus, smtp, settings):
    crashed, busy = _readers(2)
    period_key = f"daily:{corpus.isoformat()}"
    old = timezone.now() - dt.timedelta(minutes=45)
    SendLog.objects.create(subscriber=crashed, period_key=period_key, claimed_at=old)
    SendLog.objects.create(subscriber=busy, period_key=period_key, claimed_at=timezone.now())
    result = _send(corpus)
    assert (result.sent, result.skipped) == (1, 1)
    assert dict(smtp.handler.recipients()) == {crashed.email: 1}
    settings.DIGESTS_CLAIM_STALE_MINUTES = 0
    assert _send(corpus).sent == 1
    assert dict(smtp.handler.recipients()) == {crashed.email: 1, busy.email: 1}


def test_weekly_digest(corpus, smtp):
    subscriber("weekly@example.org", frequency="weekly", max_papers=20)
    result = _send(corpus, kind="weekly")
    assert result.sent == 1
    (message,) = smtp.handler.to("weekly@example.org")
    year, week, _ = corpus.isocalendar()
    assert message["X-Paperfeed-Period"] == f"weekly:{year}-W{week:02d}"
    assert message["Subject"].startswith("paperfeed weekly: 20 papers")


def test_send_command_through_tasks(corpus, smtp, settings):
    """Without --inline the command enqueues one task per batch (run at once here)."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.DIGESTS_BATCH_SIZE = 2
    readers = _readers(5)
    out = StringIO()
    call_command("digest", "send", "--period", "daily", "--date", corpus.isoformat(), stdout=out)
    assert "3 batch(es) queued" in out.getvalue()
    assert dict(smtp.handler.recipients()) == {r.email: 1 for r in readers}


def test_send_command_enqueues_for_workers(corpus, smtp):
    from django_tasks_db.models import DBTaskResult

    _readers(3)
    call_command("digest", "send", "--date", corpus.isoformat(), stdout=StringIO())
    assert DBTaskResult.objects.filter(task_path__endswith="send_digest_batch").count() == 1
    assert smtp.handler.messages == []
    run_queued()
    assert len(smtp.handler.messages) == 3


def test_dry_run_sends_nothing(corpus, smtp):
    _readers(3)
    out = StringIO()
    call_command(
        "digest", "send", "--period", "daily", "--date", corpus.isoformat(), "--dry-run", stdout=out
    )
    assert '"would_send": 3' in out.getvalue()
    assert smtp.handler.messages == [] and SendLog.objects.count() == 0


def test_digest_is_in_the_daily_schedule(settings):
    assert ["digest", "send"] in settings.PAPERFEED_DAILY_JOBS


def test_failed_batch_is_retried_later_by_the_workers(corpus, smtp, settings):
    from django_tasks_db.models import DBTaskResult

    from paperfeed.digests.tasks import send_digest_batch

    readers = _readers(3)
    smtp.handler.temp_fail["reader1@example.org"] = -1
    ids = [r.pk for r in readers]
    send_digest_batch.call("daily", corpus.isoformat(), ids)
    retry = DBTaskResult.objects.get(task_path__endswith="send_digest_batch")
    assert retry.run_after > timezone.now() + dt.timedelta(minutes=4)
    assert retry.args_kwargs["args"][-1] == 2  # the attempt number
    assert len(smtp.handler.messages) == 2

    smtp.handler.temp_fail.clear()
    assert run_queued() == 0  # not due yet
    DBTaskResult.objects.update(run_after=timezone.now())  # time passes
    assert run_queued() == 1
    assert dict(smtp.handler.recipients()) == {r.email: 1 for r in readers}


def test_retries_give_up_after_the_last_delay(corpus, smtp, settings):
    from paperfeed.digests.tasks import retry_later

    settings.DIGESTS_RETRY_LATER = [60]
    assert retry_later("daily", corpus.isoformat(), [1], attempt=1) is True
    assert retry_later("daily", corpus.isoformat(), [1], attempt=2) is False


def test_batch_meeting_a_claim_held_elsewhere_looks_again_later(corpus, smtp):
    """A worker killed mid-send leaves its claim; the batch that meets it while it is
    still fresh must come back for that reader rather than skip them for the period."""
    from django_tasks_db.models import DBTaskResult

    from paperfeed.digests.tasks import send_digest_batch

    free, held = _readers(2)
    period_key = f"daily:{corpus.isoformat()}"
    SendLog.objects.create(subscriber=held, period_key=period_key, claimed_at=timezone.now())
    result = send_digest_batch.call("daily", corpus.isoformat(), [free.pk, held.pk])
    assert (result["sent"], result["held"]) == (1, 1)
    retry = DBTaskResult.objects.get(task_path__endswith="send_digest_batch")
    assert retry.run_after > timezone.now()


def test_preview_and_send_without_a_date_use_the_same_day(corpus, smtp):
    """Right after an import, a send without --date sends the newest imported day (not
    today, which has no papers yet) and says so; the preview shows that same day."""
    from django.db.models import Max

    from paperfeed.catalogue.models import Paper

    reader = subscriber("latest@example.org")
    latest = Paper.objects.aggregate(m=Max("announced"))["m"].isoformat()
    preview = StringIO()
    call_command("digest", "preview", "--email", reader.email, stdout=preview)
    assert f"# day {latest} (the latest announcement day on or before today" in preview.getvalue()
    out = StringIO()
    call_command("digest", "send", "--period", "daily", "--inline", stdout=out)
    assert f"day {latest} (the latest announcement day on or before today" in out.getvalue()
    (message,) = smtp.handler.to(reader.email)
    assert message["X-Paperfeed-Period"] == f"daily:{latest}"


def test_inline_send_shows_progress_and_quiet_hides_it(corpus, smtp, settings):
    settings.PAPERFEED_PROGRESS_SECONDS = 0
    settings.DIGESTS_BATCH_SIZE = 2
    _readers(5)
    day = corpus.isoformat()
    err = StringIO()
    call_command("digest", "send", "--period", "daily", "--date", day, "--inline", stderr=err,
                 stdout=StringIO())  # fmt: skip
    lines = err.getvalue().splitlines()
    assert [line.split(" (")[0] for line in lines[:3]] == [
        f"send daily:{day}: 2/5 subscribers",
        f"send daily:{day}: 4/5 subscribers",
        f"send daily:{day}: 5/5 subscribers",
    ]
    assert "subscribers/s" in lines[0] and " left" in lines[0]
    assert len(smtp.handler.messages) == 5
    err = StringIO()
    call_command("digest", "send", "--period", "weekly", "--date", day, "--inline", "--quiet",
                 stderr=err, stdout=StringIO())  # fmt: skip
    assert err.getvalue() == ""
