from django.apps import AppConfig


class TrendingConfig(AppConfig):
    name = "paperfeed.trending"
    label = "trending"
    verbose_name = "Trending"

    def ready(self) -> None:
        from paperfeed.catalogue.signals import papers_changed
        from paperfeed.trending.score import on_papers_changed

        papers_changed.connect(on_papers_changed, dispatch_uid="paperfeed.trending.rows")
