"""Operator commands and the admin."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from paperfeed.digests.models import SendLog, Subscriber
from tests.digests.helpers import subscriber

pytestmark = pytest.mark.django_db


def run(*args):
    out, err = StringIO(), StringIO()
    call_command("subscribers", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_add_list_remove(smtp):
    out, _ = run(
        "add",
        "A@Example.org",
        "b@example.org",
        "--confirmed",
        "--frequency",
        "weekly",
        "--categories",
        "cs.CV,cs.CL",
    )
    assert "2 added" in out
    out, _ = run("add", "c@example.org")  # double opt-in: a confirmation mail
    assert smtp.handler.recipients() == {"c@example.org": 1}
    rows = json.loads(run("list", "--json")[0])
    assert [(r["email"], r["status"], r["frequency"]) for r in rows] == [
        ("A@example.org", "active", "weekly"),
        ("b@example.org", "active", "weekly"),
        ("c@example.org", "pending", "daily"),
    ]
    assert rows[0]["categories"] == ["cs.CL", "cs.CV"]
    assert "3 subscriber(s)" in run("list")[0]
    run("remove", "b@example.org")
    assert not Subscriber.objects.filter(email="b@example.org").exists()
    with pytest.raises(CommandError, match="not subscribed"):
        run("remove", "b@example.org")
    with pytest.raises(CommandError, match="bad address"):
        run("add", "nope")


def test_import_reports_bad_rows_and_writes_nothing(tmp_path):
    csv = tmp_path / "subs.csv"
    csv.write_text(
        "email,frequency,categories\n"
        "one@example.org,daily,cs.CV\n"
        "not an address,daily,\n"
        "two@example.org,hourly,\n"
        'three@example.org,weekly,"cs.CL, cs.XX"\n'
        "one@EXAMPLE.ORG\n"
        "four@example.org,weekly,cs.LG;cs.AI\n"
    )
    with pytest.raises(CommandError, match="4 bad row"):
        run("import", str(csv), "--confirmed")
    assert Subscriber.objects.count() == 0
    out, err = StringIO(), StringIO()
    with pytest.raises(CommandError):
        call_command("subscribers", "import", str(csv), stdout=out, stderr=err)
    lines = err.getvalue().splitlines()
    assert [line.split(":")[0] for line in lines] == ["line 3", "line 4", "line 5", "line 6"]

    out, err = run("import", str(csv), "--confirmed", "--on-error", "skip")
    assert "2 added, 0 updated, 4 skipped" in out
    four = Subscriber.objects.get(email="four@example.org")
    assert (four.frequency, four.categories, four.status) == (
        "weekly",
        ["cs.AI", "cs.LG"],
        "active",
    )


def test_import_without_header(tmp_path):
    csv = tmp_path / "plain.csv"
    csv.write_text("x@example.org\ny@example.org,weekly\n")
    out, _ = run("import", str(csv), "--confirmed")
    assert "2 added" in out
    with pytest.raises(CommandError, match="no such file"):
        run("import", str(tmp_path / "missing.csv"))


def test_cli_exit_code_on_bad_rows(tmp_path):
    import subprocess
    import sys

    csv = tmp_path / "bad.csv"
    csv.write_text("bad-address\n")
    proc = subprocess.run(
        [sys.executable, "-m", "paperfeed", "subscribers", "import", str(csv)],
        capture_output=True,
        text=True,
        env={**__import__("os").environ, "PAPERFEED_DATA_DIR": str(tmp_path / "data")},
        timeout=120,
    )
    assert proc.returncode != 0
    assert "line 1:" in proc.stderr


def test_admin_shows_counts_sends_and_suppressions(admin_client):
    active = subscriber("active@example.org")
    subscriber("pending@example.org", confirmed=False)
    subscriber(
        "bounced@example.org",
        suppressed_at="2026-11-01T00:00:00Z",
        suppressed_reason="550 5.1.1 no such user",
    )
    SendLog.objects.create(subscriber=active, period_key="daily:2026-11-27", state="sent")
    page = admin_client.get("/admin/digests/subscriber/").content.decode()
    assert "3 total: 1 active, 1 pending, 0 paused, 0 unsubscribed, 1 suppressed" in page
    assert "Sends per day" in page and "550 5.1.1 no such user" in page
    assert admin_client.get("/admin/digests/sendlog/").status_code == 200
    assert admin_client.get("/admin/digests/subscriber/?status=suppressed").status_code == 200
