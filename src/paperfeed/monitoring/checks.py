"""paperfeed's own deployment checks, run by ``paperfeed check-deploy`` (and by
Django's ``check --deploy``) beside Django's: what a site on the internet, possibly on
several machines, needs configured."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.core.checks import CheckMessage, Error, Tags, Warning, register
from django.db import connection

LOCAL_NAMES = {"localhost", "127.0.0.1", "[::1]", "::1", "testserver"}


@register(Tags.security, deploy=True)
def secret_key_from_environment(app_configs=None, **kwargs) -> list[CheckMessage]:
    key_file = settings.DATA_DIR / "secret_key"
    if key_file.exists() and key_file.read_text().strip() == settings.SECRET_KEY:
        return [
            Warning(
                "The secret key was generated into this machine's data directory.",
                hint="Set PAPERFEED_SECRET_KEY (the same on every web and worker machine: "
                "sessions, sign-up and digest links are signed with it).",
                id="paperfeed.W001",
            )
        ]
    return []


@register(Tags.security, deploy=True)
def allowed_hosts(app_configs=None, **kwargs) -> list[CheckMessage]:
    public = [h for h in settings.ALLOWED_HOSTS if h not in LOCAL_NAMES]
    if not public:
        return [
            Warning(
                "Only local host names are allowed: the site answers no public name.",
                hint="Set PAPERFEED_ALLOWED_HOSTS to the site's host name(s).",
                id="paperfeed.W002",
            )
        ]
    if "*" in public:
        return [
            Warning(
                "PAPERFEED_ALLOWED_HOSTS allows any host.",
                hint="Name the site's hosts.",
                id="paperfeed.W003",
            )
        ]
    return []


@register(Tags.security, deploy=True)
def https(app_configs=None, **kwargs) -> list[CheckMessage]:
    if not settings.SECURE:
        return [
            Warning(
                "HTTPS settings are off: cookies may travel in clear, no HSTS.",
                hint="Serve through HTTPS and set PAPERFEED_SECURE=1.",
                id="paperfeed.W004",
            )
        ]
    return []


@register(Tags.security, deploy=True)
def base_url(app_configs=None, **kwargs) -> list[CheckMessage]:
    parts = urlsplit(settings.PAPERFEED_BASE_URL)
    found: list[CheckMessage] = []
    if parts.scheme != "https":
        found.append(
            Warning(
                f"PAPERFEED_BASE_URL ({settings.PAPERFEED_BASE_URL}) is not https.",
                hint="Links in emails are built from it: use the public https address.",
                id="paperfeed.W005",
            )
        )
    host = parts.hostname or ""
    if host in LOCAL_NAMES:
        found.append(
            Warning(
                f"PAPERFEED_BASE_URL points at this machine ({host}).",
                hint="Readers follow links in emails to it: use the public address.",
                id="paperfeed.W006",
            )
        )
    elif host and "*" not in settings.ALLOWED_HOSTS and not _allowed(host):
        found.append(
            Warning(
                f"PAPERFEED_BASE_URL's host {host} is not in PAPERFEED_ALLOWED_HOSTS.",
                hint="Links in emails would be refused with 400.",
                id="paperfeed.W007",
            )
        )
    return found


def _allowed(host: str) -> bool:
    from django.http.request import validate_host

    return validate_host(host, settings.ALLOWED_HOSTS)


@register(Tags.compatibility, deploy=True)
def smtp(app_configs=None, **kwargs) -> list[CheckMessage]:
    if settings.EMAIL_BACKEND != "django.core.mail.backends.smtp.EmailBackend":
        return [
            Warning(
                "No SMTP server: emails are written as files in the data directory.",
                hint="Set SMTP_URL, e.g. smtp://user:pass@mail.example.org:587?starttls=1.",
                id="paperfeed.W008",
            )
        ]
    return []


@register(Tags.database, deploy=True)
def database(app_configs=None, **kwargs) -> list[CheckMessage]:
    if connection.vendor == "sqlite":
        return [
            Warning(
                "SQLite: web and worker processes must all run on this one machine.",
                hint="For several machines set DATABASE_URL to PostgreSQL with pgvector.",
                id="paperfeed.W009",
            )
        ]
    if connection.vendor != "postgresql":
        return []
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT extversion FROM pg_extension WHERE extname = 'vector'")
            row = cursor.fetchone()
    except Exception as exc:
        return [Error(f"The database cannot be reached: {exc}", id="paperfeed.E001")]
    if row is None:
        return [
            Error(
                "The pgvector extension is not installed in this database.",
                hint="As a superuser: CREATE EXTENSION vector; then paperfeed migrate.",
                id="paperfeed.E002",
            )
        ]
    return []
