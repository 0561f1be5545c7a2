"""Django settings: one place, read from the environment.

Environment variables:
  DATABASE_URL            any dj-database-url URL; default SQLite in the data directory
  PAPERFEED_DATA_DIR      data directory (database, secret key, indexes, .eml files)
  PAPERFEED_SECRET_KEY    signing key (default: generated once into the data directory)
  PAPERFEED_DEBUG         1 for Django's debug mode (never in production)
  PAPERFEED_ALLOWED_HOSTS comma-separated host names (default: localhost names)
  PAPERFEED_SECURE        1 when served over HTTPS: secure cookies, HSTS, HTTP redirected
  PAPERFEED_TRUSTED_PROXIES  how many reverse proxies append to X-Forwarded-For (default 0:
                          the header is ignored, as is X-Forwarded-Proto)
  PAPERFEED_MAX_REQUEST_BYTES  request bodies above this are refused (default 1,000,000)
  ARXIV_OAI_URL, ARXIV_API_URL, ARXIV_RSS_URL   source endpoints (tests use a local server)
  SMTP_URL                smtp[s]://user:pass@host:port[?starttls=1]; default .eml files
  PAPERFEED_BASE_URL      absolute URL of the site, for links in emails
  PAPERFEED_FROM_EMAIL    the From of every email
  PAPERFEED_PROGRESS_SECONDS  seconds between progress lines away from a terminal (30)
"""

from __future__ import annotations

import os

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from paperfeed.config import data_dir, env_bool, env_int, env_list, private_files, secret_key
from paperfeed.digests.smtp_url import email_settings

private_files()  # the database, mail, cache and indexes: 0600 files, 0700 folders
DATA_DIR = data_dir()
SECRET_KEY = secret_key(DATA_DIR)
DEBUG = env_bool("PAPERFEED_DEBUG")
# Tests add "testserver" themselves (Django's setup_test_environment).
ALLOWED_HOSTS = env_list("PAPERFEED_ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("PAPERFEED_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "paperfeed.accounts.apps.AdminConfig",  # Django's admin, its log-in rate-limited
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_tasks",
    "django_tasks_db",
    "paperfeed.catalogue",
    "paperfeed.search",
    "paperfeed.service",
    "paperfeed.ratelimit",
    "paperfeed.accounts",
    "paperfeed.trending",
    "paperfeed.community",
    "paperfeed.codelinks",
    "paperfeed.digests",
    "csp",
    "ninja",  # its own Swagger UI assets, so /api/docs loads nothing from a CDN
    "paperfeed.web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "paperfeed.ratelimit.bodysize.RequestSizeLimitMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # request.htmx: whether a request came from htmx (votes answer with the button)
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "paperfeed.urls"
WSGI_APPLICATION = "paperfeed.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

_default_db = f"sqlite:///{DATA_DIR / 'paperfeed.sqlite3'}"
DATABASES = {"default": dj_database_url.parse(os.environ.get("DATABASE_URL", _default_db))}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets readers run beside the one writer; IMMEDIATE avoids lock upgrades
        # failing mid-transaction when the web and the worker write at once.
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=30000;"
        ),
        "transaction_mode": "IMMEDIATE",
    }
    # Tests use a file, not Django's in-memory default: concurrency tests need several
    # connections on one database, as the real service has.
    DATABASES["default"]["TEST"] = {"NAME": str(DATA_DIR / "test.sqlite3")}
else:
    DATABASES["default"]["CONN_MAX_AGE"] = int(os.environ.get("PAPERFEED_CONN_MAX_AGE", "60"))
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Accounts (paperfeed.accounts): Argon2 first; older hashes are upgraded at log-in.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "web:trending"
LOGOUT_REDIRECT_URL = None
ACCOUNT_VERIFY_MAX_AGE = 3 * 86400  # seconds a sign-up confirmation link stays valid
PASSWORD_RESET_TIMEOUT = 3 * 3600
# Community (paperfeed.community): submissions accept papers this many days old at most.
PAPERFEED_SUBMISSION_MAX_AGE_DAYS = int(os.environ.get("PAPERFEED_SUBMISSION_MAX_AGE_DAYS", "14"))
# Per-scope rate overrides, e.g. {"vote:user": "60/m"}; defaults in paperfeed.accounts.limits.
PAPERFEED_RATE_LIMITS: dict[str, str] = {}
# Code links (paperfeed.codelinks): GitHub REST for star counts; a token raises the limit.
GITHUB_API_URL = os.environ.get("GITHUB_API_URL", "https://api.github.com")
GITHUB_TOKEN = os.environ.get("GITHUB_TOKEN", "")

TASKS = {
    "default": {
        "BACKEND": os.environ.get("PAPERFEED_TASK_BACKEND", "django_tasks_db.DatabaseBackend"),
    }
}

LANGUAGE_CODE = "en"
TIME_ZONE = "UTC"
USE_I18N = False
USE_TZ = True

STATIC_URL = "/static/"
# Rendered pages for anonymous readers, shared by every web process on this machine
# (a SQLite-backed disk cache in the data directory), keyed by the catalogue's
# version so a change never serves a stale page. "default" stays in process memory.
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "pages": {
        "BACKEND": "paperfeed.web.pagecache.PageCache",
        "LOCATION": os.environ.get("PAPERFEED_PAGE_CACHE_DIR", str(DATA_DIR / "cache" / "pages")),
        "TIMEOUT": 3600,
        "SHARDS": 4,
        "DATABASE_TIMEOUT": 0.05,  # a busy shard skips the write rather than wait
        "OPTIONS": {"size_limit": int(os.environ.get("PAPERFEED_PAGE_CACHE_MB", "512")) << 20},
    },
}

STATIC_ROOT = DATA_DIR / "static"  # filled by collectstatic, which `paperfeed serve` runs
STATIC_ROOT.mkdir(exist_ok=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

# Database sessions that know their account (an indexed column), so a ban or an account
# deletion ends that account's sessions in one DELETE (paperfeed.accounts.sessions).
SESSION_ENGINE = "paperfeed.accounts.sessions"

# Security. PAPERFEED_SECURE: the site is reached over HTTPS (directly, or through a
# trusted proxy that sets X-Forwarded-Proto): secure cookies, HSTS, HTTP redirected.
SECURE = env_bool("PAPERFEED_SECURE")
SESSION_COOKIE_SECURE = SECURE
CSRF_COOKIE_SECURE = SECURE
SECURE_SSL_REDIRECT = SECURE
SESSION_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if SECURE:
    SECURE_HSTS_SECONDS = 31536000

# Reverse proxies in front of the site, each appending the address it saw to
# X-Forwarded-For (nginx's $proxy_add_x_forwarded_for, Caddy's reverse_proxy). Per-IP
# rate limits read the entry the outermost one wrote (paperfeed.ratelimit.limits.
# client_ip). With none, the forwarding headers are ignored: any client can send them.
PAPERFEED_TRUSTED_PROXIES = env_int("PAPERFEED_TRUSTED_PROXIES", 0)
if PAPERFEED_TRUSTED_PROXIES:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
if os.environ.get("PAPERFEED_CLIENT_IP_HEADER"):
    raise ImproperlyConfigured(
        "PAPERFEED_CLIENT_IP_HEADER is no longer read: it trusted a header the client "
        "writes. Set PAPERFEED_TRUSTED_PROXIES to the number of proxies in front instead."
    )

# Content-Security-Policy (django-csp) on every response, the admin's too: scripts,
# styles and fonts only from the site itself, no inline code, no framing.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

# Rate limits (paperfeed.ratelimit): counted per client address (see
# PAPERFEED_TRUSTED_PROXIES above).
RATELIMIT_ENABLED = True  # tests of other things switch limits off

# Request bodies: the site takes forms only, never uploads. Larger bodies are refused
# with 413 before they are read (paperfeed.ratelimit.bodysize), and Django's own limits
# stand behind that.
PAPERFEED_MAX_REQUEST_BYTES = env_int("PAPERFEED_MAX_REQUEST_BYTES", 1_000_000)
DATA_UPLOAD_MAX_MEMORY_SIZE = PAPERFEED_MAX_REQUEST_BYTES
FILE_UPLOAD_MAX_MEMORY_SIZE = PAPERFEED_MAX_REQUEST_BYTES
DATA_UPLOAD_MAX_NUMBER_FIELDS = 200

# Sources. Tests point these at a local server replaying recorded responses.
ARXIV_OAI_URL = os.environ.get("ARXIV_OAI_URL", "https://oaipmh.arxiv.org/oai")
ARXIV_API_URL = os.environ.get("ARXIV_API_URL", "https://export.arxiv.org/api/query")
ARXIV_RSS_URL = os.environ.get("ARXIV_RSS_URL", "https://rss.arxiv.org/rss/")
# arXiv asks for one request every 3 seconds; tests set this to 0.
ARXIV_REQUEST_INTERVAL = float(os.environ.get("ARXIV_REQUEST_INTERVAL", "3"))
ARXIV_MAX_RETRIES = 4  # a failed request is tried again this many times,
ARXIV_RETRY_BACKOFF = 5.0  # waiting this many seconds, doubled each time
HTTP_USER_AGENT = os.environ.get(
    "PAPERFEED_USER_AGENT", "paperfeed/0.1 (+https://github.com/paperfeed/paperfeed)"
)

# The daily schedule run by `paperfeed serve` (or by cron calling the same commands).
# arXiv announces new papers at 00:00 UTC, Sunday to Thursday.
PAPERFEED_CATEGORIES = env_list("PAPERFEED_CATEGORIES", ["cs.AI", "cs.CL", "cs.CV", "cs.LG"])
PAPERFEED_DAILY_AT = os.environ.get("PAPERFEED_DAILY_AT", "01:30")
PAPERFEED_DAILY_JOBS = [
    ["fetch_new", *PAPERFEED_CATEGORIES],
    ["refresh_stars"],
    ["digest", "send"],
]

# Email and digests (paperfeed.digests). SMTP_URL: smtp://user:pass@host:587?starttls=1
# or smtps://user:pass@host:465; without it mail is written as .eml files to DATA_DIR/mail.
PAPERFEED_BASE_URL = os.environ.get("PAPERFEED_BASE_URL", "http://127.0.0.1:8000").rstrip("/")
# Without it, `paperfeed serve` links emails to the address it serves.
PAPERFEED_BASE_URL_GIVEN = bool(os.environ.get("PAPERFEED_BASE_URL", "").strip())
PAPERFEED_FROM_EMAIL = os.environ.get("PAPERFEED_FROM_EMAIL", "paperfeed <digest@localhost>")
DEFAULT_FROM_EMAIL = SERVER_EMAIL = PAPERFEED_FROM_EMAIL
globals().update(email_settings(os.environ.get("SMTP_URL")))
DIGESTS_BATCH_SIZE = 200  # readers claimed by one send task
DIGESTS_CLAIM_STALE_MINUTES = 30  # a claimed send older than this is taken over
DIGESTS_RETRY_DELAYS = (2, 10)  # seconds between attempts of one SMTP send
DIGESTS_RETRY_LATER = (300, 1800, 7200)  # seconds before a failed send task runs again
DIGESTS_SUPPRESS_AFTER = 3  # permanent failures in a row before an address is suppressed
DIGESTS_UNSUBSCRIBE_MAILTO = ""  # List-Unsubscribe mailbox; default unsubscribe@<From domain>
DIGESTS_CONFIRM_MAX_AGE = 3 * 86400  # seconds a subscription confirmation link stays valid
DIGESTS_MANAGE_MAX_AGE = 180 * 86400  # seconds a manage/unsubscribe link stays valid
DIGESTS_CONFIRM_MAILS_PER_DAY = 3  # confirmation mails one address receives a day
DIGESTS_SUBSCRIBE_RATE = "20/h"  # subscription requests per client
DIGESTS_WEEKLY_DAY = 4  # weekday the weekly digest goes out (Monday 0; Friday)

# `paperfeed serve`: where the web server listens and how many processes it runs.
PAPERFEED_HOST = os.environ.get("PAPERFEED_HOST", "127.0.0.1")
PAPERFEED_PORT = int(os.environ.get("PAPERFEED_PORT", "8000"))
PAPERFEED_WEB_WORKERS = int(os.environ.get("PAPERFEED_WEB_WORKERS", "0")) or os.cpu_count() or 1

# Long commands (import, harvest, reindex, export, digest send --inline) away from a
# terminal print a progress line this often (paperfeed.progress).
PAPERFEED_PROGRESS_SECONDS = float(os.environ.get("PAPERFEED_PROGRESS_SECONDS", "30"))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "loggers": {
        "paperfeed": {
            "handlers": ["console"],
            "level": os.environ.get("PAPERFEED_LOG_LEVEL", "INFO"),
        },
    },
}
