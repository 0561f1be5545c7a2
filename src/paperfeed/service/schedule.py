"""The daily schedule that the all-in-one ``paperfeed serve`` runs by itself.

At scale, a cron job or systemd timer calls the same commands instead (see README);
the claim row makes running both harmless.

A job that fails because a source cannot be reached (arXiv or GitHub offline) is one
log line, no traceback, and is tried again by the first pass of the schedule at least
``RETRY_AFTER`` later, the same day. Any other failure is logged with its traceback
and waits for the next day.
"""

from __future__ import annotations

import datetime as dt
import io
import logging
import shlex
from dataclasses import dataclass

from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import IntegrityError, transaction
from django.utils import timezone

from paperfeed.service.models import ScheduledRun
from paperfeed.sources.problems import SourceUnreachable

log = logging.getLogger("paperfeed.schedule")

RETRY_AFTER = dt.timedelta(minutes=15)


@dataclass(frozen=True)
class DailyJob:
    name: str
    command: list[str]  # a paperfeed command line, e.g. ["fetch_new", "cs.LG"]
    at: dt.time  # UTC time of day after which it runs


def daily_jobs() -> list[DailyJob]:
    at = dt.time.fromisoformat(settings.PAPERFEED_DAILY_AT)
    return [DailyJob(line[0], list(line), at) for line in settings.PAPERFEED_DAILY_JOBS]


def _claim(job: DailyJob, day: dt.date, now: dt.datetime) -> ScheduledRun | None:
    """The day's run of the job, if this process is the one to run it: a new claim,
    one whose unreachable source is due another try, or one left unfinished for
    ``PAPERFEED_SCHEDULE_STALE_MINUTES`` by a process that died (killed, machine gone;
    the jobs are safe to run again, so a crash does not skip the day). Each is taken
    with one conditional UPDATE, so two processes never both take it."""
    try:
        with transaction.atomic():
            return ScheduledRun.objects.create(job=job.name, day=day)
    except IntegrityError:
        pass
    retried = ScheduledRun.objects.filter(job=job.name, day=day, retry_after__lte=now).update(
        retry_after=None, ok=None, finished_at=None, started_at=now
    )
    if retried:
        return ScheduledRun.objects.get(job=job.name, day=day)
    stale = now - dt.timedelta(minutes=float(settings.PAPERFEED_SCHEDULE_STALE_MINUTES))
    left = ScheduledRun.objects.filter(
        job=job.name, day=day, finished_at__isnull=True, started_at__lt=stale
    ).first()
    if left is None:
        return None
    # Conditional on the start we read: of two schedulers taking over, one wins.
    won = ScheduledRun.objects.filter(pk=left.pk, started_at=left.started_at).update(started_at=now)
    if not won:
        return None
    log.warning("daily job %s of %s was left unfinished; running it again", job.name, day)
    left.started_at = now
    return left


def _unreachable(exc: BaseException | None) -> SourceUnreachable | None:
    """The SourceUnreachable behind a failure (commands wrap it in a CommandError)."""
    while exc is not None:
        if isinstance(exc, SourceUnreachable):
            return exc
        exc = exc.__cause__ or exc.__context__
    return None


def run_due(
    now: dt.datetime | None = None, jobs: list[DailyJob] | None = None
) -> list[ScheduledRun]:
    """Run every job whose time has come today and that has not run today."""
    now = now or timezone.now()
    day = now.astimezone(dt.UTC).date()
    ran = []
    for job in daily_jobs() if jobs is None else jobs:
        if now.astimezone(dt.UTC).time() < job.at:
            continue
        run = _claim(job, day, now)
        if run is None:
            continue
        out = io.StringIO()
        try:
            call_command(*job.command, stdout=out, stderr=out)
            run.ok = True
        except Exception as exc:  # a failed job is recorded, and the schedule goes on
            run.ok = False
            out.write(f"\nfailed: {exc}")
            if unreachable := _unreachable(exc):
                run.retry_after = now + RETRY_AFTER
                log.warning(
                    "scheduled job %s: could not reach %s (%s); trying again from %s UTC",
                    shlex.join(job.command),
                    unreachable.location,
                    unreachable.message,
                    run.retry_after.astimezone(dt.UTC).strftime("%H:%M"),
                )
            elif isinstance(exc, CommandError):  # the command's own clear message
                log.error("scheduled job %s failed: %s", shlex.join(job.command), exc)
            else:
                log.exception("scheduled job %s failed", shlex.join(job.command))
        run.output = out.getvalue()[-20000:]
        run.finished_at = timezone.now()
        run.save(update_fields=["ok", "output", "finished_at", "retry_after"])
        ran.append(run)
    return ran
