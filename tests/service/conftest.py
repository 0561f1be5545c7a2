"""Service test set-up: a data directory with the embedding model built once, for
worker processes started by the tests (they would otherwise each build it)."""

from __future__ import annotations

import pytest
from django.conf import settings as django_settings


@pytest.fixture(scope="session")
def worker_data_dir(tmp_path_factory):
    from paperfeed.search.embeddings import get_embedder

    saved = django_settings.DATA_DIR
    folder = tmp_path_factory.mktemp("worker-data")
    django_settings.DATA_DIR = folder
    try:
        get_embedder()
    finally:
        django_settings.DATA_DIR = saved
    return folder
