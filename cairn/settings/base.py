"""Settings shared by every environment. Secrets and hosts come from the environment only."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import dj_database_url
from csp.constants import NONCE as CSP_NONCE

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = Path(os.environ.get("CAIRN_DATA_DIR", BASE_DIR.parent / "var"))


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def database_from_env(default_sqlite: Path) -> dict[str, Any]:
    """`DATABASE_URL` picks PostgreSQL (psycopg 3); otherwise SQLite in WAL mode.

    SQLite runs its transactions as IMMEDIATE: with deferred transactions concurrent writers fail
    with "database is locked" instead of waiting for the lock (see ARCHITECTURE.md).
    """
    url = os.environ.get("DATABASE_URL")
    if url:
        return dict(dj_database_url.parse(url, conn_max_age=60, conn_health_checks=True))
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": default_sqlite,
        "OPTIONS": {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": (
                "PRAGMA journal_mode=WAL;"
                "PRAGMA synchronous=NORMAL;"
                "PRAGMA foreign_keys=ON;"
                "PRAGMA busy_timeout=20000;"
            ),
        },
    }


SECRET_KEY = os.environ.get("CAIRN_SECRET_KEY", "")
DEBUG = False
ALLOWED_HOSTS = env_list("CAIRN_ALLOWED_HOSTS")
CSRF_TRUSTED_ORIGINS = env_list("CAIRN_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    # Cairn's apps first: their templates (registration/*) override those of contrib apps.
    "cairn.core",
    "cairn.accounts",
    "cairn.coalitions",
    "cairn.people",
    "cairn.campaigns",
    "cairn.governance",
    "cairn.petitions",
    "cairn.narrative",
    "cairn.powermap",
    "cairn.audit",
    "cairn.advocacy",
    "cairn.signups",
    "cairn.ledger",
    "cairn.budgets",
    "cairn.fundraising",
    "cairn.events",
    "cairn.api",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "ninja",  # its static files: the API docs page serves Swagger UI locally, never from a CDN
    "django_tasks",
    "django_tasks_db",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "cairn.urls"
WSGI_APPLICATION = "cairn.wsgi.application"

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
            ],
        },
    },
]

DATABASES = {"default": database_from_env(DATA_DIR / "cairn.sqlite3")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "accounts:login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
PASSWORD_RESET_TIMEOUT = 60 * 60 * 24  # one day

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT: Path | None = Path(os.environ.get("CAIRN_STATIC_ROOT", DATA_DIR / "staticfiles"))
# Uploaded files (CSV imports: personal data, deleted after the import). Never served by URL.
MEDIA_ROOT = Path(os.environ.get("CAIRN_MEDIA_ROOT", DATA_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

TASKS = {
    "default": {
        "BACKEND": "django_tasks_db.DatabaseBackend",
        "QUEUES": ["default"],
    }
}

EMAIL_BACKEND = os.environ.get("CAIRN_EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
DEFAULT_FROM_EMAIL = os.environ.get("CAIRN_FROM_EMAIL", "Cairn <cairn@localhost>")
EMAIL_HOST = os.environ.get("CAIRN_EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("CAIRN_EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("CAIRN_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("CAIRN_EMAIL_PASSWORD", "")
EMAIL_USE_TLS = os.environ.get("CAIRN_EMAIL_TLS", "") == "1"

# Invitations to a coalition are single use and expire after this many days.
CAIRN_INVITATION_DAYS = int(os.environ.get("CAIRN_INVITATION_DAYS", "7"))
# Sign-in throttle, counted over the window: failed passwords per (account, address) before that
# pair is refused; after the free ones each try waits twice as long (from the backoff seconds).
# An address is refused for every account after the higher per-address ceiling. An account is never
# refused everywhere: past the alert count it is offered a sign-in link by email instead.
# CAIRN_LOGIN_ATTEMPTS also limits reset and sign-in-link requests per email and per address.
CAIRN_LOGIN_ATTEMPTS = int(os.environ.get("CAIRN_LOGIN_ATTEMPTS", "10"))
CAIRN_LOGIN_WINDOW_SECONDS = int(os.environ.get("CAIRN_LOGIN_WINDOW_SECONDS", "900"))
CAIRN_LOGIN_FREE_ATTEMPTS = int(os.environ.get("CAIRN_LOGIN_FREE_ATTEMPTS", "3"))
CAIRN_LOGIN_BACKOFF_SECONDS = int(os.environ.get("CAIRN_LOGIN_BACKOFF_SECONDS", "2"))
CAIRN_LOGIN_ADDRESS_ATTEMPTS = int(os.environ.get("CAIRN_LOGIN_ADDRESS_ATTEMPTS", "50"))
CAIRN_LOGIN_ACCOUNT_ALERT = int(os.environ.get("CAIRN_LOGIN_ACCOUNT_ALERT", "10"))
# A sign-in link by email works once, for this many minutes.
CAIRN_SIGN_IN_LINK_MINUTES = int(os.environ.get("CAIRN_SIGN_IN_LINK_MINUTES", "15"))

# Reverse proxies in front of Cairn whose X-Forwarded-For is trusted (0: use REMOTE_ADDR).
CAIRN_PROXY_HOPS = int(os.environ.get("CAIRN_PROXY_HOPS", "0"))
# The public address of this site, for links in emails sent by background tasks.
CAIRN_SITE_URL = os.environ.get("CAIRN_SITE_URL", "http://127.0.0.1:8000")

# The OSDI API: requests per token in each fixed window, beyond which it answers 429.
CAIRN_API_RATE_LIMIT = int(os.environ.get("CAIRN_API_RATE_LIMIT", "600"))
CAIRN_API_RATE_WINDOW_SECONDS = int(os.environ.get("CAIRN_API_RATE_WINDOW_SECONDS", "60"))
# Idempotency-Key on API POSTs: a retry while the first request is at work waits this long for its
# answer (then 409); a claim unanswered after the lease (longer than any worker timeout) is taken
# over by the next retry, so a killed request does not block its key for 24 hours.
CAIRN_API_IDEMPOTENCY_WAIT_SECONDS = float(os.environ.get("CAIRN_API_IDEMPOTENCY_WAIT", "10"))
CAIRN_API_IDEMPOTENCY_LEASE_SECONDS = int(os.environ.get("CAIRN_API_IDEMPOTENCY_LEASE", "120"))

# Django's cache: local memory in each process by default; CAIRN_CACHE_URL (redis://host:6379/0)
# shares one Redis between every process (Django's RedisCache; install the `redis` extra).
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
if os.environ.get("CAIRN_CACHE_URL"):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": os.environ["CAIRN_CACHE_URL"],
        }
    }
# Public petition pages, counts JSON and widget: kept this long in the cache and by shared caches
# (s-maxage), served stale this much longer while a CDN refetches; the public count is cached
# CAIRN_PUBLIC_COUNT_SECONDS. Signing: over the per-minute or hourly limit per IP a signature is
# held for review; over CAIRN_SIGN_HARD_PER_HOUR it is refused (defaults; per coalition in its
# integrity settings).
CAIRN_PUBLIC_PAGE_SECONDS = int(os.environ.get("CAIRN_PUBLIC_PAGE_SECONDS", "10"))
CAIRN_PUBLIC_STALE_SECONDS = int(os.environ.get("CAIRN_PUBLIC_STALE_SECONDS", "60"))
CAIRN_PUBLIC_COUNT_SECONDS = int(os.environ.get("CAIRN_PUBLIC_COUNT_SECONDS", "5"))
CAIRN_SIGN_HARD_PER_HOUR = int(os.environ.get("CAIRN_SIGN_HARD_PER_HOUR", "500"))

# Campaign dashboards: recount engagement when the counted totals are older than this (seconds).
CAIRN_ENGAGEMENT_MAX_AGE = int(os.environ.get("CAIRN_ENGAGEMENT_MAX_AGE", "300"))
# Measurement feeds: fetch timeout (seconds), and whether private/loopback addresses may be fetched.
CAIRN_FEED_TIMEOUT = float(os.environ.get("CAIRN_FEED_TIMEOUT", "10"))
CAIRN_FEED_ALLOW_PRIVATE = os.environ.get("CAIRN_FEED_ALLOW_PRIVATE", "") == "1"

# Content-Security-Policy on every response (django-csp). Scripts and styles come from our own
# static files; an inline script or style element needs `nonce="{{ request.csp_nonce }}"` (the
# nonce is added to the header only on the pages that use it). No page may be framed but the
# petition widget: its frame-ancestors is CAIRN_WIDGET_FRAME_ANCESTORS (space-separated sources;
# default `*`, any site).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'", CSP_NONCE],
        "style-src": ["'self'", CSP_NONCE],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}
CAIRN_WIDGET_FRAME_ANCESTORS = os.environ.get("CAIRN_WIDGET_FRAME_ANCESTORS", "*").split()

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"one_line_client_errors": {"()": "cairn.core.logs.OneLineForClientErrors"}},
    "formatters": {
        "django.server": {
            "()": "django.utils.log.ServerFormatter",
            "format": "[{server_time}] {message}",
            "style": "{",
        }
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler"},
        "django.server": {"class": "logging.StreamHandler", "formatter": "django.server"},
    },
    "loggers": {
        # 403 and 404 are logged in one line, without a traceback (on the logger: every handler)
        "django.request": {"filters": ["one_line_client_errors"]},
        # Django's own console handler (DEBUG only) would print each line a second time: the root's
        # console handler prints it once (there are no ADMINS to mail)
        "django": {"handlers": []},
        # runserver's access log, as Django configures it (configuring "django" resets it)
        "django.server": {"handlers": ["django.server"], "level": "INFO", "propagate": False},
    },
    "root": {"handlers": ["console"], "level": os.environ.get("CAIRN_LOG_LEVEL", "INFO")},
}
