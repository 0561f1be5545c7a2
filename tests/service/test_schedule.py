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


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_unreachable_source_is_one_log_line_and_retried_at_a_later_pass(settings, caplog, capsys):
    """Offline, fetch-new's failure is one warning naming the source, no traceback;
    a pass of the schedule 15 minutes later tries again (and not sooner)."""
    settings.ARXIV_RSS_URL = f"http://127.0.0.1:{free_port()}/rss/"  # nothing listens
    settings.ARXIV_MAX_RETRIES = 2
    settings.ARXIV_RETRY_BACKOFF = 0
    jobs = [job(["fetch_new", "cs.LG"])]
    first = dt.datetime(2026, 11, 2, 1, 31, tzinfo=UTC)
    with caplog.at_level("DEBUG", logger="paperfeed"):
        (run,) = run_due(first, jobs)
    assert run.ok is False
    warnings = [r for r in caplog.records if r.levelno >= 30]
    assert len(warnings) == 1
    (line,) = warnings
    assert line.exc_info is None and "Traceback" not in caplog.text
    assert "could not reach http://127.0.0.1:" in line.getMessage()
    assert "gave up after 3 attempts" in line.getMessage()
    assert "trying again from 01:46 UTC" in line.getMessage()
    assert "Traceback" not in capsys.readouterr().err

    assert run_due(first + dt.timedelta(minutes=10), jobs) == []
    (again,) = run_due(first + dt.timedelta(minutes=15), jobs)
    assert again.pk == run.pk and again.ok is False
    assert ScheduledRun.objects.count() == 1


def test_other_failures_are_not_retried_the_same_day(caplog):
    jobs = [job(["import", "/nonexistent/file.jsonl"])]
    first = dt.datetime(2026, 11, 2, 3, 0, tzinfo=UTC)
    (failed,) = run_due(first, jobs)
    assert failed.ok is False and failed.retry_after is None
    assert run_due(first + dt.timedelta(hours=2), jobs) == []
