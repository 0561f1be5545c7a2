from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "paperfeed.accounts"
    label = "accounts"
    verbose_name = "Accounts"

    def ready(self) -> None:
        """An account being deleted logs out everywhere first (its sessions are rows
        keyed by its id, not foreign keys, so nothing cascades to them)."""
        from django.contrib.auth import get_user_model
        from django.db.models.signals import pre_delete

        pre_delete.connect(
            _end_sessions, sender=get_user_model(), dispatch_uid="paperfeed.accounts.sessions"
        )


def _end_sessions(sender, instance, **kwargs) -> None:
    # Imported here: the sessions module imports models, which load after the registry.
    from paperfeed.accounts.sessions import end_sessions

    end_sessions(instance)
