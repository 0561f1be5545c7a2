from django.apps import AppConfig


class CatalogueConfig(AppConfig):
    name = "paperfeed.catalogue"
    label = "catalogue"
    verbose_name = "Catalogue"

    def ready(self) -> None:
        from django.db.models.signals import m2m_changed, post_delete, post_save

        from paperfeed.catalogue.models import Paper
        from paperfeed.catalogue.signals import papers_changed, papers_written

        # The version is read at most once a second; a change made by this process
        # shows at once (other processes see it within the second). It is forgotten
        # when an import batch writes (inside its transaction: a version read then and
        # kept for a second must not outlive a batch that never commits) and again
        # after the batch commits.
        post_save.connect(_forget_version, sender=Paper, dispatch_uid="paperfeed.catalogue.saved")
        post_delete.connect(
            _forget_version, sender=Paper, dispatch_uid="paperfeed.catalogue.deleted"
        )
        papers_written.connect(_forget_version, dispatch_uid="paperfeed.catalogue.written")
        papers_changed.connect(_forget_version, dispatch_uid="paperfeed.catalogue.changed")
        m2m_changed.connect(
            _categories_changed,
            sender=Paper.categories.through,
            dispatch_uid="paperfeed.catalogue.categories",
        )


def _forget_version(sender, **kwargs) -> None:
    from paperfeed.catalogue.version import forget_recent_version

    forget_recent_version()


def _categories_changed(sender, instance, action, reverse, pk_set, **kwargs) -> None:
    """A paper's categories are part of it: changing them marks it modified, which
    moves the catalogue version (pages' ETags, search's per-filter paper lists)."""
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    from django.utils import timezone

    from paperfeed.catalogue.models import Paper

    papers = Paper.objects.none()
    if not reverse:
        papers = Paper.objects.filter(pk=instance.pk)
    elif pk_set:
        papers = Paper.objects.filter(pk__in=pk_set)
    papers.update(modified_at=timezone.now())
    _forget_version(sender)
