"""Settings for the survey platform, read from the environment.

With no environment at all the platform runs embedded: SQLite in ``var/``, Celery tasks
in-process, a development secret kept in ``var/``. ``DJANGO_ENV=production`` requires the
real services and a secret from the environment.
"""

from __future__ import annotations

import ipaddress
import os
import secrets
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from config.env import (
    development_fernet_keys,
    env_bool,
    env_database,
    env_int,
    env_list,
    env_redis_url,
    env_str,
)
from config.integrations import integration_settings

BASE_DIR = Path(__file__).resolve().parent.parent
# Everything the site writes at run time (the SQLite database, secrets, exports, media) holds
# respondents' answers or keys: readable by the site's own user only (files 0600, folders 0700).
os.umask(0o077)
VAR_DIR = Path(env_str("VAR_DIR", str(BASE_DIR / "var")))

ENVIRONMENT = env_str("DJANGO_ENV", "development")
if ENVIRONMENT not in {"development", "production"}:
    raise ImproperlyConfigured(
        f"DJANGO_ENV={ENVIRONMENT!r} is not valid (use development or production)."
    )
PRODUCTION = ENVIRONMENT == "production"


def _development_secret(name: str) -> str:
    # A per-checkout secret keeps sessions valid across restarts without ever committing one.
    path = VAR_DIR / name
    if not path.exists():
        VAR_DIR.mkdir(mode=0o700, parents=True, exist_ok=True)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as handle:
            handle.write(secrets.token_urlsafe(50))
    return path.read_text().strip()


SECRET_KEY = (
    env_str("SECRET_KEY", required=True)
    if PRODUCTION
    else (env_str("SECRET_KEY", "") or _development_secret("dev-secret-key"))
)
# Key of the salted client hashes (duplicate flags, throttles). Its own secret: anyone who knew
# it could forge nothing, but SECRET_KEY signs respondents' cookies and must never be shown.
CLIENT_HASH_SALT = (
    env_str("CLIENT_HASH_SALT", required=True)
    if PRODUCTION
    else (env_str("CLIENT_HASH_SALT", "") or _development_secret("dev-client-hash-salt"))
)
if CLIENT_HASH_SALT == SECRET_KEY:
    raise ImproperlyConfigured("CLIENT_HASH_SALT must differ from SECRET_KEY.")


# Keys of the payout contacts' encryption (incentives.crypto), comma-separated, the newest
# first: a second key lets manage.py rotate_payout_key re-encrypt what the older one wrote.
PAYOUT_KEY_FILE = VAR_DIR / "payout-key"
_payout_keys = (
    env_str("PAYOUT_KEY", required=True)
    if PRODUCTION
    else (env_str("PAYOUT_KEY", "") or development_fernet_keys(PAYOUT_KEY_FILE))
)
PAYOUT_KEYS = [key.strip() for key in _payout_keys.split(",") if key.strip()]
# Proxies whose X-Forwarded-For is believed (addresses or CIDR ranges). Empty: REMOTE_ADDR is
# the client, as on the embedded default; behind a TLS proxy, name the proxy.
TRUSTED_PROXIES = env_list("TRUSTED_PROXIES", [])
try:
    TRUSTED_PROXY_NETWORKS = [ipaddress.ip_network(p, strict=False) for p in TRUSTED_PROXIES]
except ValueError as error:
    raise ImproperlyConfigured(f"TRUSTED_PROXIES: {error}") from error
# Off unless a developer asks (`DEBUG=true make run`): the embedded default may be exposed by
# accident, and the debug page shows settings, paths and every URL pattern to anyone.
DEBUG = env_bool("DEBUG", default=False)
ALLOWED_HOSTS = env_list(
    "ALLOWED_HOSTS", [] if PRODUCTION else ["127.0.0.1", "localhost", "[::1]", "testserver"]
)
if PRODUCTION and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS is required in production.")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
# Links handed to respondents and organizers; empty: built from the host of each request.
SITE_URL = env_str("SITE_URL", "").rstrip("/")
# Password reset mails a link: offered only where a mail server is configured.
EMAIL_HOST = env_str("EMAIL_HOST", "")
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_PORT = env_int("EMAIL_PORT", 587, minimum=1)
    EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
    DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", f"survey@{EMAIL_HOST}")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "crispy_forms",
    "crispy_bootstrap5",
    "axes",
    "surveys",
    "recruitment",
    "analytics",
    "exports",
    "estimates",
    "aggregates",
    "sampledata",
    "incentives",
    "membership",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "api",
    "webhooks",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Outside everything that can refuse a request (a bad Host header is refused by
    # CommonMiddleware), so that every response, error pages included, carries the headers.
    "config.middleware.SecurityHeadersMiddleware",
    # WhiteNoise, preferring the compressed copies `make run` collects (config/static.py).
    "config.static.CollectedFirstWhiteNoiseMiddleware",
    # Respondents' sessions in a signed cookie, staff sessions in the database.
    "config.sessions.SessionMiddleware",
    # Django's, with an English fallback and a language that sticks (config/locale.py).
    "config.locale.SiteLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Remembers the browsers each staff account logged in from (config/security/login_guard.py).
    "config.security.login_guard.KnownBrowserMiddleware",
    # Last, so that it sees the authenticated user of a failed login.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
            ],
        },
    },
]

DATABASES = {
    "default": env_database(
        "DATABASE_URL",
        {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": env_str("SQLITE_PATH", str(VAR_DIR / "db.sqlite3")),
            # WAL lets the in-process task rebuild aggregates while respondents submit.
            # IMMEDIATE: a submit that reads then writes takes the write lock at BEGIN, so
            # concurrent submits wait (up to the timeout) instead of failing as "locked".
            "OPTIONS": {
                "init_command": "PRAGMA journal_mode=WAL;",
                "timeout": 20,
                "transaction_mode": "IMMEDIATE",
            },
            # Tests on a file too: an in-memory database is shared-cache, where a thread (the
            # webhook pump, the in-process tasks) fails at once with "table is locked" instead
            # of waiting as it does in the embedded default.
            "TEST": {"NAME": env_str("SQLITE_TEST_PATH", str(VAR_DIR / "test-db.sqlite3"))},
        },
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"]["CONN_MAX_AGE"] = env_int("CONN_MAX_AGE", 60, minimum=0)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # A request must fail fast ("try again in a moment") rather than hang while PostgreSQL is away.
    DATABASES["default"]["OPTIONS"].setdefault("connect_timeout", 5)
elif PRODUCTION:
    raise ImproperlyConfigured("DATABASE_URL (PostgreSQL) is required in production.")
else:
    VAR_DIR.mkdir(mode=0o700, parents=True, exist_ok=True)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env_redis_url("REDIS_URL")
if PRODUCTION and REDIS_URL is None:
    raise ImproperlyConfigured("REDIS_URL is required in production.")

CACHES = {
    "default": (
        {
            "BACKEND": "config.cache.RedisCache",
            "LOCATION": REDIS_URL,
            # A cache outage must not fail a respondent's request.
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}

SESSION_ENGINE = "django.contrib.sessions.backends.db"
# Respondents' sessions are signed cookies under their own name (config/sessions.py).
RESPONDENT_SESSION_COOKIE_NAME = "respondent"
SESSION_COOKIE_AGE = 60 * 60 * 24 * 30  # a respondent may come back within a month
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    # Refuses logins from a locked-out client before the password is even checked.
    "axes.backends.AxesStandaloneBackend",
    # Refuses an account guessed at from many addresses, except from browsers it used before.
    "config.security.login_guard.UsernameCapBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = 0.25  # hours: a locked-out client may try again after 15 minutes
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# The lockout page says in how many minutes (AXES_COOLOFF_TIME) the door opens again.
AXES_LOCKOUT_CALLABLE = "config.views.login_lockout_response"
# Attempts are counted in the cache (Redis in production) under a salted hash of the address,
# so no raw IP address reaches the database or the logs.
AXES_CLIENT_IP_CALLABLE = "surveys.privacy.client_address_hash"
AXES_HANDLER = "axes.handlers.cache.AxesCacheHandler"
AXES_VERBOSE = False
if REDIS_URL is None:
    # The embedded default serves from one process, where the local-memory cache counts right.
    SILENCED_SYSTEM_CHECKS = ["axes.W001"]
# Failures per username from any address (config/security/login_guard.py): beyond the limit
# within the window, the account logs in only from browsers it used before; admins get a mail.
LOGIN_USERNAME_FAILURE_LIMIT = env_int("LOGIN_USERNAME_FAILURE_LIMIT", 30, minimum=1)
LOGIN_USERNAME_WINDOW_SECONDS = 15 * 60
# Who gets the mail: comma-separated addresses (needs EMAIL_HOST to be sent).
ADMINS = [("", address) for address in env_list("ADMINS", [])]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

LANGUAGE_CODE = "ru"
LANGUAGES = [
    ("ru", _("Russian")),
    ("kk", _("Kazakh")),
    ("en", _("English")),
]
# The language last used here (config/locale.py): a preference, read by no script.
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
LOCALE_PATHS = [BASE_DIR / "locale"]
# Django has no Kazakh formats (decimal comma, 24-hour d.m.Y H:i): config/formats/kk supplies them.
FORMAT_MODULE_PATH = ["config.formats"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = "UTC"

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "staticfiles"
# WhiteNoise serves from STATIC_ROOT after collectstatic; in development it finds files itself
# (with DEBUG off too, so that the embedded default keeps its styles).
WHITENOISE_USE_FINDERS = not PRODUCTION
WHITENOISE_AUTOREFRESH = DEBUG
if not PRODUCTION:
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            # Plain names, and a gzip copy of each file beside it when collected (`make run`).
            else "whitenoise.storage.CompressedStaticFilesStorage"
        )
    },
}
MEDIA_ROOT = VAR_DIR / "media"
EXPORT_ROOT = VAR_DIR / "exports"

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# A 1 MB answer is hostile, not an answer; cap request bodies well above any honest form.
DATA_UPLOAD_MAX_MEMORY_SIZE = 256 * 1024
DATA_UPLOAD_MAX_NUMBER_FIELDS = 400

CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = REDIS_URL is None
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "socket_connect_timeout": 2,
    "socket_timeout": 2,
    "max_retries": 1,
}
CELERY_TASK_PUBLISH_RETRY = False

# Questionnaires one client address may start per 10 minutes before each start asks for a tap:
# a campus or a mobile carrier puts hundreds of people behind one address.
START_RATE_LIMIT = env_int("START_RATE_LIMIT", 300, minimum=1)
# "I am a person" tickets one address may be handed per 10 minutes beyond that limit.
START_TICKET_LIMIT = env_int("START_TICKET_LIMIT", 100, minimum=1)
# The debug page and error reports hide every setting that names a secret or a credential.
DEFAULT_EXCEPTION_REPORTER_FILTER = "config.security.debug.SecretsHidingFilter"

SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if PRODUCTION:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    # Container and load-balancer probes speak plain HTTP to the app port.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    # Only a plain-HTTP loopback stack (scripts/serve) turns these off; the defaults stay secure.
    SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", True)
    CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
    LANGUAGE_COOKIE_SECURE = SESSION_COOKIE_SECURE
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 60 * 60 * 24 * 365, minimum=0)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
}

CSRF_FAILURE_VIEW = "config.views.csrf_failure"

# /bench/hello, the baseline of the submission benchmark, answers 404 unless this is on.
BENCH_HELLO = env_bool("BENCH_HELLO", False)

# Content-Security-Policy: no inline script, nothing from other hosts.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'"
)

# --- analytics: aggregate rebuilds, Celery beat, CSV exports ------------------------------------
# Submissions within this many seconds share one aggregate rebuild, which starts when it ends.
AGGREGATES_COALESCE_SECONDS = env_int("AGGREGATES_COALESCE_SECONDS", 5, minimum=0)
# The beat's catch-up rebuilds whatever a lost enqueue (Redis down) left out.
AGGREGATES_CATCH_UP_SECONDS = env_int("AGGREGATES_CATCH_UP_SECONDS", 60, minimum=1)
CELERY_BEAT_SCHEDULE = {
    "analytics-aggregates-catch-up": {
        "task": "analytics.aggregates_catch_up",
        "schedule": float(AGGREGATES_CATCH_UP_SECONDS),
    },
    # A daily full rebuild also repairs what no incremental run can see (deleted rows).
    "analytics-aggregates-full-daily": {
        "task": "analytics.aggregates_rebuild_all",
        "schedule": 24 * 60 * 60.0,
    },
    # The privacy page promises that unfinished answers go after 30 days.
    "surveys-drafts-purge": {"task": "surveys.drafts_purge", "schedule": 60 * 60.0},
    # Payout contacts go the organizers' number of days after the respondent's last payment.
    "incentives-contacts-erase": {"task": "incentives.contacts_erase", "schedule": 24 * 60 * 60.0},
    # What a failed incentives receiver left undone (a withdrawn contact, a review's settling).
    "incentives-ledger-catch-up": {"task": "incentives.ledger_catch_up", "schedule": 60 * 60.0},
}
# Celery workers lower their CPU priority by this much (nice): their background work (rebuilds,
# the RDS refresh, exports) yields the CPU to the web processes serving respondents. 0 keeps it.
WORKER_NICENESS = env_int("WORKER_NICENESS", 10, minimum=0)
# Replicates of the tree bootstrap behind each RDS interval (Baraff et al. suggest 1,000 or more).
RDS_BOOTSTRAP_REPLICATES = env_int("RDS_BOOTSTRAP_REPLICATES", 1000, minimum=100)
# The bootstrap takes minutes at a million responses, and every burst of submissions makes the
# estimates stale again: after a run of t seconds, the next waits RDS_REST_FACTOR * t (at least
# RDS_MIN_INTERVAL_SECONDS), so the estimates take at most 1/(1 + factor) of a worker's time.
RDS_REST_FACTOR = env_int("RDS_REST_FACTOR", 9, minimum=0)
RDS_MIN_INTERVAL_SECONDS = env_int("RDS_MIN_INTERVAL_SECONDS", 0, minimum=0)
# Gile's SS estimates: successive-sampling simulations per iteration (R's default 500), and the
# sample size above which they are skipped with a reason (about 50 s per population size at
# 100,000 respondents and N = 1,000,000 on this machine; 0 = never skipped).
RDS_SS_SAMPLES = env_int("RDS_SS_SAMPLES", 500, minimum=50)
# At least this many simulated respondents per SS iteration (samples x sample size): a small
# sample gets more than RDS_SS_SAMPLES simulations, so that its SS shares settle within 5e-4 of
# R's large-sample value (faux: 2,571 samples); a large one already has as many draws at 500.
RDS_SS_DRAWS = env_int("RDS_SS_DRAWS", 1_000_000, minimum=0)
RDS_SS_MAX_RESPONDENTS = env_int("RDS_SS_MAX_RESPONDENTS", 200_000, minimum=0)
# HCG (estimates.rds.estimators.hcg) fits a likelihood around SS weights per answer group, for
# every single-choice question: above this many respondents it is skipped with a reason (0 = never).
RDS_HCG_MAX_RESPONDENTS = env_int("RDS_HCG_MAX_RESPONDENTS", 5_000, minimum=0)
# Exports of more responses than this run as a Celery task writing a file under EXPORT_ROOT.
EXPORT_ASYNC_THRESHOLD = env_int("EXPORT_ASYNC_THRESHOLD", 50_000, minimum=0)

# --- the read-only API (api/) and webhooks (webhooks/): config/integrations.py ------------------
_integrations = integration_settings(production=PRODUCTION)
globals().update(_integrations)
CELERY_BEAT_SCHEDULE["webhooks-deliver-due"] = {
    "task": "webhooks.deliver_due",
    "schedule": float(_integrations["WEBHOOK_PUMP_SECONDS"]),
}
