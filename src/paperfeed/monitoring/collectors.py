"""Figures read from the database when Prometheus scrapes: the task queue (the same
``queue_state`` that ``/readyz`` and ``paperfeed stats`` report) and the embedding
backlog. Shared by every machine, so any web process answers for the whole site."""

from __future__ import annotations

import logging
from collections.abc import Iterator

from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from paperfeed.catalogue.models import Paper
from paperfeed.search.embeddings import MODEL_NAME
from paperfeed.search.models import PaperEmbedding
from paperfeed.service.queue import queue_state

log = logging.getLogger("paperfeed.monitoring")


def embedding_backlog() -> int:
    """Papers still waiting for a vector from the current model."""
    embedded = PaperEmbedding.objects.filter(model_name=MODEL_NAME).count()
    return max(0, Paper.objects.count() - embedded)


class DatabaseCollector(Collector):
    def collect(self) -> Iterator[GaugeMetricFamily]:
        up = GaugeMetricFamily("paperfeed_database_up", "1 when the database answered.")
        try:
            state = queue_state()
            backlog = embedding_backlog()
        except Exception as exc:
            log.warning("metrics: database unreachable: %s", exc)
            up.add_metric([], 0)
            yield up
            return
        up.add_metric([], 1)
        yield up
        tasks = GaugeMetricFamily(
            "paperfeed_task_queue", "Background tasks by state.", labels=["state"]
        )
        tasks.add_metric(["waiting"], state.waiting)
        tasks.add_metric(["scheduled"], state.scheduled)
        tasks.add_metric(["running"], state.running)
        yield tasks
        yield GaugeMetricFamily(
            "paperfeed_task_oldest_waiting_seconds",
            "How long the task that has waited longest has been runnable (0: none waits).",
            value=state.oldest_waiting_seconds or 0.0,
        )
        yield GaugeMetricFamily(
            "paperfeed_embedding_backlog",
            "Papers without a vector from the current model.",
            value=backlog,
        )
