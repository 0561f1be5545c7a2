from django.apps import AppConfig


class TrendingConfig(AppConfig):
    """A read-only ranking over the catalogue and the community's ``PaperState``:
    no models, no receivers; one panel on the paper page."""

    name = "paperfeed.trending"
    label = "trending"
    verbose_name = "Trending"

    def ready(self) -> None:
        # Imported here: the panel's module imports models (app-loading constraint).
        from paperfeed.trending import panels

        panels.register()
