from django.apps import AppConfig

from paperfeed.catalogue.signals import papers_changed
from paperfeed.codelinks.signals import stars_changed


class CommunityConfig(AppConfig):
    name = "paperfeed.community"
    label = "community"
    verbose_name = "Community"

    def ready(self) -> None:
        """Connect the receivers that keep each paper's community state in step:
        new papers (catalogue), star refreshes (code links), comments saved or deleted
        (however: a view, the admin, an account going), and accounts deleted; and
        register its panels on the paper and profile pages."""
        # Imported here: they import models, which cannot load before the app
        # registry is ready.
        from paperfeed.community import panels, receivers

        papers_changed.connect(receivers.papers_changed, dispatch_uid="paperfeed.community.rows")
        stars_changed.connect(receivers.stars_changed, dispatch_uid="paperfeed.community.stars")
        receivers.connect_models()
        panels.register()
