from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class AccountsConfig(AppConfig):
    name = "paperfeed.accounts"
    label = "accounts"
    verbose_name = "Accounts"
    default = True  # this module also holds AdminConfig

    def ready(self) -> None:
        """Failed log-ins count against the account tried (lockout), and an account being
        deleted logs out everywhere first (its sessions are rows keyed by its id, not
        foreign keys, so nothing cascades to them)."""
        from django.contrib.auth import get_user_model
        from django.db.models.signals import pre_delete

        from paperfeed.accounts import lockout  # noqa: F401  (counts failed log-ins)

        pre_delete.connect(
            _end_sessions, sender=get_user_model(), dispatch_uid="paperfeed.accounts.sessions"
        )


def _end_sessions(sender, instance, **kwargs) -> None:
    # Imported here: the sessions module imports models, which load after the registry.
    from paperfeed.accounts.sessions import end_sessions

    end_sessions(instance)


class AdminConfig(admin_apps.AdminConfig):
    """Django's admin on a site whose log-in has the site's limits (Django's documented
    way of replacing the default admin site)."""

    default = False  # named in INSTALLED_APPS; AccountsConfig is this module's default
    default_site = "paperfeed.accounts.admin_site.AdminSite"
