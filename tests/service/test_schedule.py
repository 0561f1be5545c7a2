import datetime as dt

import pytest

from paperfeed.service.models import ScheduledRun
from paperfeed.service.schedule import DailyJob, daily_jobs, run_due

pytestmark = pytest.mark.django_db
UTC = dt.UTC


def job(command, at="01:30"):
    return DailyJob(command[0], command, dt.time.fromisoformat(at))


def test_default_schedule_fetches_the_configured_categories(settings):
    settings.PAPERFEED_DAILY_JOBS = [["fetch_new", "cs.CL", "cs.LG"]]
    (only,) = daily_jobs()
    assert only.command == ["fetch_new", "cs.CL", "cs.LG"]


def test_runs_once_a_day_after_its_time():
    jobs = [job(["stats", "--json"])]
    assert run_due(dt.datetime(2026, 11, 2, 1, 0, tzinfo=UTC), jobs) == []
    (run,) = run_due(dt.datetime(2026, 11, 2, 1, 31, tzinfo=UTC), jobs)
    assert run.ok is True
    assert '"papers": 0' in run.output
    assert run_due(dt.datetime(2026, 11, 2, 23, 0, tzinfo=UTC), jobs) == []
    assert len(run_due(dt.datetime(2026, 11, 3, 2, 0, tzinfo=UTC), jobs)) == 1
    assert ScheduledRun.objects.count() == 2


def test_a_failing_job_is_recorded_and_others_still_run():
    jobs = [job(["import", "/nonexistent/file.jsonl"]), job(["stats"])]
    failed, ok = run_due(dt.datetime(2026, 11, 2, 3, 0, tzinfo=UTC), jobs)
    assert failed.ok is False
    assert "no such file" in failed.output
    assert ok.ok is True


def test_a_run_left_unfinished_by_a_dead_process_is_taken_over(settings):
    settings.PAPERFEED_SCHEDULE_STALE_MINUTES = 60
    jobs = [job(["stats", "--json"])]
    day = dt.date(2026, 11, 2)
    left = ScheduledRun.objects.create(job="stats", day=day)  # the process died here
    ScheduledRun.objects.filter(pk=left.pk).update(
        started_at=dt.datetime(2026, 11, 2, 1, 31, tzinfo=UTC)
    )
    assert run_due(dt.datetime(2026, 11, 2, 2, 0, tzinfo=UTC), jobs) == []  # maybe still running
    (run,) = run_due(dt.datetime(2026, 11, 2, 2, 40, tzinfo=UTC), jobs)
    assert run.pk == left.pk and run.ok is True
    assert run_due(dt.datetime(2026, 11, 2, 5, 0, tzinfo=UTC), jobs) == []  # finished now
