from django.apps import AppConfig

from paperfeed.catalogue.signals import papers_changed


class SearchConfig(AppConfig):
    name = "paperfeed.search"
    label = "search"
    verbose_name = "Search"

    def ready(self) -> None:
        # Imported here: the tasks module imports models (app-loading constraint).
        from paperfeed.search.tasks import on_papers_changed

        papers_changed.connect(on_papers_changed, dispatch_uid="paperfeed.search.index")
