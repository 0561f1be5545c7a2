from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class AccountsConfig(AppConfig):
    name = "paperfeed.accounts"
    label = "accounts"
    verbose_name = "Accounts"
    default = True  # this module also holds AdminConfig

    def ready(self) -> None:
        from paperfeed.accounts import lockout  # noqa: F401  (counts failed log-ins)


class AdminConfig(admin_apps.AdminConfig):
    """Django's admin on a site whose log-in has the site's limits (Django's documented
    way of replacing the default admin site)."""

    default = False  # named in INSTALLED_APPS; AccountsConfig is this module's default
    default_site = "paperfeed.accounts.admin_site.AdminSite"
