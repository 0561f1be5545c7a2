"""``paperfeed worker``: a background task worker (embedding, digests, ...).

Run as many as needed, on any machine that reaches the database. Each holds a lease on
the task it runs (``paperfeed.service.leases``): when a worker dies, another one runs
its task again once the lease expires.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django_tasks_db.compat import DEFAULT_TASK_BACKEND_ALIAS
from prometheus_client import start_http_server

from paperfeed.metrics import process_registry
from paperfeed.service.worker import LeasedWorker, new_worker_id


class Command(BaseCommand):
    help = "Run a background task worker (all queues); tasks of dead workers are run again."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch", action="store_true", help="run what is queued, then exit")
        parser.add_argument("--interval", type=float, default=1.0, help="seconds between polls")
        parser.add_argument("--max-tasks", type=int, default=None, help="exit after this many")
        parser.add_argument(
            "--metrics-port",
            type=int,
            default=None,
            help="serve this machine's Prometheus metrics on this port (needs PAPERFEED_METRICS)",
        )
        parser.add_argument("--metrics-host", default="127.0.0.1", help="address for metrics")

    def handle(
        self,
        *args,
        batch: bool,
        interval: float,
        max_tasks: int | None,
        metrics_port: int | None,
        metrics_host: str,
        **options,
    ) -> None:
        if interval < 0 or (max_tasks is not None and max_tasks <= 0):
            raise CommandError("--interval must be >= 0 and --max-tasks > 0")
        if metrics_port is not None:
            if not settings.PAPERFEED_METRICS:
                raise CommandError("--metrics-port needs PAPERFEED_METRICS=1")
            start_http_server(metrics_port, metrics_host, registry=process_registry())
        logging.getLogger("django_tasks_db").setLevel(logging.INFO)
        worker = LeasedWorker(
            queue_names=["*"],
            interval=interval,
            batch=batch,
            backend_name=DEFAULT_TASK_BACKEND_ALIAS,
            startup_delay=not batch,
            max_tasks=max_tasks,
            worker_id=new_worker_id(),
            excluded_queue_names=[],
        )
        worker.configure_signals()
        worker.run()
