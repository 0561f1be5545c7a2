"""The daily schedule that the all-in-one ``paperfeed serve`` runs by itself.

At scale, a cron job or systemd timer calls the same commands instead (see README);
the claim row makes running both harmless.
"""

from __future__ import annotations

import datetime as dt
import io
import logging
import shlex
from dataclasses import dataclass

from django.conf import settings
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.utils import timezone

from paperfeed.service.models import ScheduledRun

log = logging.getLogger("paperfeed.schedule")


@dataclass(frozen=True)
class DailyJob:
    name: str
    command: list[str]  # a paperfeed command line, e.g. ["fetch_new", "cs.LG"]
    at: dt.time  # UTC time of day after which it runs


def daily_jobs() -> list[DailyJob]:
    at = dt.time.fromisoformat(settings.PAPERFEED_DAILY_AT)
    return [DailyJob(line[0], list(line), at) for line in settings.PAPERFEED_DAILY_JOBS]


def _claim(job: DailyJob, day: dt.date, now: dt.datetime) -> ScheduledRun | None:
    """The day's run of this job, claimed by us; None when it ran or is running.

    A run started more than ``PAPERFEED_SCHEDULE_STALE_MINUTES`` ago and never
    finished was left by a process that died (killed, machine gone): it is taken over
    (the jobs are safe to run again), so a crash does not skip the day."""
    try:
        with transaction.atomic():
            return ScheduledRun.objects.create(job=job.name, day=day)
    except IntegrityError:
        pass
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
            log.exception("scheduled job %s failed", shlex.join(job.command))
            out.write(f"\nfailed: {exc}")
            run.ok = False
        run.output = out.getvalue()[-20000:]
        run.finished_at = timezone.now()
        run.save(update_fields=["ok", "output", "finished_at"])
        ran.append(run)
    return ran
