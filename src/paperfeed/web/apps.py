from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "paperfeed.web"
    label = "web"
    verbose_name = "paperfeed website"

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from paperfeed.catalogue.models import Paper
        from paperfeed.catalogue.signals import papers_changed

        # Pages read the catalogue's version at most once a second; a change made by
        # this process shows at once (other processes see it within the second).
        post_save.connect(_forget_version, sender=Paper, dispatch_uid="paperfeed.web.saved")
        post_delete.connect(_forget_version, sender=Paper, dispatch_uid="paperfeed.web.deleted")
        papers_changed.connect(_forget_version, dispatch_uid="paperfeed.web.changed")


def _forget_version(sender, **kwargs) -> None:  # type: ignore[no-untyped-def]
    from paperfeed.web.queries import forget_recent_version

    forget_recent_version()
