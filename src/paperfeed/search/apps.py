from django.apps import AppConfig
from django.db.models.signals import m2m_changed

from paperfeed.catalogue.signals import collect_stats, papers_changed, papers_written


class SearchConfig(AppConfig):
    name = "paperfeed.search"
    label = "search"
    verbose_name = "Search"

    def ready(self) -> None:
        # Imported here: these modules import models (app-loading constraint).
        from paperfeed.catalogue.models import Paper
        from paperfeed.search import categories
        from paperfeed.search.keyword import on_papers_written
        from paperfeed.search.status import on_collect_stats
        from paperfeed.search.tasks import on_papers_changed

        # Keyword rows inside the ingest transaction; embeddings queued after commit.
        papers_written.connect(on_papers_written, dispatch_uid="paperfeed.search.keyword")
        papers_written.connect(
            categories.on_papers_written, dispatch_uid="paperfeed.search.categories"
        )
        # Rows holding papers' categories follow changes made one by one (the admin).
        m2m_changed.connect(
            categories.on_categories_changed,
            sender=Paper.categories.through,
            dispatch_uid="paperfeed.search.categories.changed",
        )
        papers_changed.connect(on_papers_changed, dispatch_uid="paperfeed.search.index")
        collect_stats.connect(on_collect_stats, dispatch_uid="paperfeed.search.stats")
