from django.apps import AppConfig


class CatalogueConfig(AppConfig):
    name = "paperfeed.catalogue"
    label = "catalogue"
    verbose_name = "Catalogue"

    def ready(self) -> None:
        from django.db.models.signals import m2m_changed, post_delete, post_save

        from paperfeed.catalogue.models import Paper
        from paperfeed.catalogue.signals import papers_changed

        # The version is read at most once a second; a change made by this process
        # shows at once (other processes see it within the second).
        post_save.connect(_forget_version, sender=Paper, dispatch_uid="paperfeed.catalogue.saved")
        post_delete.connect(
            _forget_version, sender=Paper, dispatch_uid="paperfeed.catalogue.deleted"
        )
        papers_changed.connect(_forget_version, dispatch_uid="paperfeed.catalogue.changed")
        m2m_changed.connect(
            _forget_version,
            sender=Paper.categories.through,
            dispatch_uid="paperfeed.catalogue.categories",
        )


def _forget_version(sender, **kwargs) -> None:  # type: ignore[no-untyped-def]
    from paperfeed.catalogue.version import forget_recent_version

    forget_recent_version()
