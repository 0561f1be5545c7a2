from django.apps import AppConfig


class DigestsConfig(AppConfig):
    name = "paperfeed.digests"
    label = "digests"
    verbose_name = "Email digests"

    def ready(self) -> None:
        """An account being deleted takes the digest subscription of its address with
        it (and, by cascade, its send log), whether or not the subscription was made
        while signed in. The "Picked for you" section registers itself here."""
        from django.contrib.auth import get_user_model
        from django.db.models.signals import pre_delete

        from paperfeed.digests.picks import register

        register()

        pre_delete.connect(
            _drop_subscription, sender=get_user_model(), dispatch_uid="paperfeed.digests.account"
        )


def _drop_subscription(sender, instance, **kwargs) -> None:
    # Imported here: models load after the app registry is ready.
    from django.db.models import Q

    from paperfeed.digests.models import Subscriber

    Subscriber.objects.filter(Q(user=instance) | Q(email__iexact=instance.email)).delete()
