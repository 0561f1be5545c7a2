"""paperfeed's own deployment checks, run by ``paperfeed check-deploy`` (and by
Django's ``check --deploy``) beside Django's: what a site on the internet, possibly on
several machines, needs configured."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.core.checks import CheckMessage, Error, Tags, Warning, register
from django.db import connection

from paperfeed.search.backends.postgres import PostgresBackend
from paperfeed.search.models import PaperEmbedding

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
    return search_index_memory(*search_index_sizes())


def search_index_sizes() -> tuple[int, int]:
    """(bytes of the search indexes, bytes of PostgreSQL's shared_buffers). The search
    indexes: every HNSW index on the vectors (the whole table's and each big category's)
    and the keyword rows' GIN index; 0 before the tables exist."""
    tables = [PaperEmbedding._meta.db_table, PostgresBackend.keyword_table]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT COALESCE(SUM(pg_relation_size(i.indexrelid)), 0)"
            " FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid"
            " JOIN pg_am am ON am.oid = c.relam"
            " WHERE i.indrelid IN (SELECT to_regclass(t) FROM unnest(%s::text[]) t)"
            " AND am.amname IN ('hnsw', 'gin')",
            [tables],
        )
        indexes = int(cursor.fetchone()[0])
        cursor.execute(
            "SELECT setting::bigint * current_setting('block_size')::bigint"
            " FROM pg_settings WHERE name = 'shared_buffers'"
        )
        buffers = int(cursor.fetchone()[0])
    return indexes, buffers


def search_index_memory(index_bytes: int, buffer_bytes: int) -> list[CheckMessage]:
    """A warning when PostgreSQL's buffers cannot hold the search indexes.

    A search walks the HNSW graph and the keyword index page by page; pages outside
    shared_buffers are read back from the operating system's cache on every search, at
    a cost in CPU that every other request on the machine shares. Measured over 74,728
    papers on two cores (benchmarks/cluster_load.py, 10 requests a second with 6,000
    papers imported): PostgreSQL's default 128 MB against 410 MB of such indexes gave
    search p95 285 ms; 2 GB gave 154 ms."""
    if index_bytes <= buffer_bytes:
        return []
    return [
        Warning(
            f"PostgreSQL's shared_buffers ({_mb(buffer_bytes)}) cannot hold the search"
            f" indexes ({_mb(index_bytes)}: pgvector's HNSW and the keyword GIN).",
            hint="Set shared_buffers above their size, with room for the tables, and "
            "restart PostgreSQL; every search otherwise reads their pages back in.",
            id="paperfeed.W010",
        )
    ]


def _mb(size: int) -> str:
    return f"{size / (1 << 20):,.0f} MB"
