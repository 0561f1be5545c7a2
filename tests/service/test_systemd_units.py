"""The systemd units in deploy/systemd run commands that exist, with options that parse,
and the timer fires after the daily jobs are due."""

from __future__ import annotations

import configparser
import datetime as dt
import shlex

import pytest
from django.conf import settings
from django.core.management import get_commands, load_command_class

from tests.support.paths import REPO

UNITS = REPO / "deploy" / "systemd"


def unit(name: str) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str
    parser.read(UNITS / name)
    return parser


def paperfeed_args(line: str) -> list[str]:
    argv = shlex.split(line)
    assert argv[0].endswith("/bin/paperfeed"), line
    return argv[1:]


@pytest.mark.parametrize(
    "name", ["paperfeed-web.service", "paperfeed-worker@.service", "paperfeed-daily.service"]
)
def test_every_command_parses(name):
    service = unit(name)["Service"]
    assert service["EnvironmentFile"] == "/etc/paperfeed/env"
    for key in ("ExecStartPre", "ExecStart"):
        if key not in service:
            continue
        command, *options = paperfeed_args(service[key])
        command = command.replace("-", "_")
        commands = get_commands()
        assert command in commands, f"{name}: no command {command}"
        parser = load_command_class(commands[command], command).create_parser("paperfeed", command)
        parser.parse_args(options)  # exits (a test failure) on an unknown option


def test_web_leaves_workers_and_schedule_to_their_units():
    args = paperfeed_args(unit("paperfeed-web.service")["Service"]["ExecStart"])
    assert args[0] == "serve" and "--no-worker" in args and "--no-schedule" in args


def test_timer_fires_after_the_daily_jobs_are_due():
    calendar = unit("paperfeed-daily.timer")["Timer"]["OnCalendar"]
    at = dt.time.fromisoformat(calendar.split()[1])
    assert at >= dt.time.fromisoformat(settings.PAPERFEED_DAILY_AT)
    assert unit("paperfeed-daily.service")["Service"]["Type"] == "oneshot"


def test_example_environment_names_known_settings():
    readme = (REPO / "README.md").read_text()
    for line in (UNITS / "paperfeed.env.example").read_text().splitlines():
        if line and not line.startswith("#"):
            name = line.split("=", 1)[0]
            assert f"`{name}`" in readme, f"{name} is not in the README's configuration table"
