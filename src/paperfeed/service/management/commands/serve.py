"""``paperfeed serve``: the production web server (granian) and, in the all-in-one
default, a background worker and the daily schedule, as child processes."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser

from paperfeed.metrics import clear_dead_files

# On SIGTERM each child is asked to stop and given CHILD_STOP_SECONDS before it is
# killed; granian gives its web processes WEB_KILL_SECONDS, less, so it never is.
CHILD_STOP_SECONDS = 10
WEB_KILL_SECONDS = 5


def port_taken(host: str, port: int) -> str | None:
    """Why ``host:port`` cannot be listened on, or None. granian binds with
    SO_REUSEPORT, so a second server on a taken port would start and share the port
    with the first (requests split between them) instead of failing: check first, with
    a plain bind, which any listener on that port (or on the wildcard) refuses."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror as exc:
        return f"cannot resolve {host}: {exc}"
    family, kind, proto, _, address = infos[0]
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # TIME_WAIT is fine
        try:
            probe.bind(address)
        except OSError as exc:
            return exc.strerror or str(exc)
    return None


def served_url(host: str, port: int) -> str:
    """The address this server answers on, for links in emails when PAPERFEED_BASE_URL
    is not set (a server on every interface is named by the machine's host name)."""
    if host in ("", "0.0.0.0", "::"):
        host = socket.getfqdn()
    if ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{port}"


class Command(BaseCommand):
    help = "Serve the site (granian), plus a task worker and the daily schedule."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default=settings.PAPERFEED_HOST)
        parser.add_argument("--port", type=int, default=settings.PAPERFEED_PORT)
        parser.add_argument(
            "--workers",
            type=int,
            default=settings.PAPERFEED_WEB_WORKERS,
            help="web server processes (default: one per core)",
        )
        parser.add_argument("--threads", type=int, default=4, help="threads per web process")
        parser.add_argument("--no-worker", action="store_true", help="don't start a task worker")
        parser.add_argument("--no-schedule", action="store_true", help="don't run daily jobs")

    def handle(self, *args, **opts) -> None:
        if (reason := port_taken(opts["host"], opts["port"])) is not None:
            raise CommandError(
                f"cannot serve on {opts['host']}:{opts['port']}: {reason} "
                "(is another paperfeed or server running there? choose --port)"
            )
        # Hashed, compressed copies for whitenoise to serve with far-future caching.
        call_command("collectstatic", interactive=False, verbosity=0)
        if settings.PAPERFEED_METRICS_DIR:
            # Counters of processes from an earlier run start again from zero.
            clear_dead_files(Path(settings.PAPERFEED_METRICS_DIR))
        python = sys.executable
        # Digests, sent by the worker child, link to the site: to this server unless
        # PAPERFEED_BASE_URL names its public address. Children inherit the environment.
        if settings.PAPERFEED_BASE_URL_GIVEN:
            base_url = settings.PAPERFEED_BASE_URL
            how = "PAPERFEED_BASE_URL"
        else:
            base_url = served_url(opts["host"], opts["port"])
            how = "from --host and --port; set PAPERFEED_BASE_URL for a public address"
        # The children's environment: this one's, with the address settled here.
        env = {**os.environ, "PAPERFEED_BASE_URL": base_url}
        children: list[subprocess.Popen] = []
        web = [
            python, "-m", "granian", "--interface", "wsgi",
            "--host", opts["host"], "--port", str(opts["port"]),
            "--workers", str(opts["workers"]), "--blocking-threads", str(opts["threads"]),
            "--no-access-log", "--respawn-failed-workers",
            # A web process that has not stopped within this is killed by granian itself,
            # which then exits: this process waits CHILD_STOP_SECONDS for it, and a
            # granian killed from here would leave its web processes running (one still
            # warming up, for instance, as on a first start's model build).
            "--workers-kill-timeout", str(WEB_KILL_SECONDS),
            "paperfeed.wsgi:application",
        ]  # fmt: skip
        children.append(subprocess.Popen(web, env=env))
        if not opts["no_worker"]:
            children.append(subprocess.Popen([python, "-m", "paperfeed", "worker"], env=env))
        if not opts["no_schedule"]:
            schedule = [python, "-m", "paperfeed", "run_schedule"]
            children.append(subprocess.Popen(schedule, env=env))
        self.stdout.write(f"paperfeed serving on http://{opts['host']}:{opts['port']}/")
        self.stdout.write(f"links in emails point to {base_url}/ ({how})", ending="\n")
        self.stdout.flush()

        def stop(signum, frame):
            raise KeyboardInterrupt

        signal.signal(signal.SIGTERM, stop)
        try:
            while all(child.poll() is None for child in children):
                time.sleep(0.5)
        except KeyboardInterrupt:
            pass
        finally:
            for child in children:
                if child.poll() is None:
                    child.terminate()
            for child in children:
                try:
                    child.wait(timeout=CHILD_STOP_SECONDS)
                except subprocess.TimeoutExpired:
                    child.kill()
        failed = [c for c in children if c.returncode not in (0, -signal.SIGTERM, None)]
        if failed:
            sys.exit(1)
