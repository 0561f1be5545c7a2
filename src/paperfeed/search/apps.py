from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "paperfeed.search"
    label = "search"
    verbose_name = "Search"

    def ready(self) -> None:
        from paperfeed.catalogue.signals import papers_changed
        from paperfeed.search.tasks import on_papers_changed

        papers_changed.connect(on_papers_changed, dispatch_uid="paperfeed.search.index")
