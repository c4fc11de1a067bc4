"""The test suite: fast hashing, in-memory email, tasks inline; `DATABASE_URL` picks PostgreSQL."""

import os

from .base import *  # noqa: F403
from .base import DATA_DIR, database_from_env

DEBUG = False
SECRET_KEY = "test-only-key-not-secret"  # noqa: S105 - never used outside the test suite
ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]
DATABASES = {"default": database_from_env(DATA_DIR / "test.sqlite3")}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # A file, not memory: race tests run writers in separate processes, which must share it.
    # One file per test run (by process id), so that two runs side by side never share it.
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES["default"]["TEST"] = {"NAME": str(DATA_DIR / f"test-run-{os.getpid()}.sqlite3")}
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # speed; tests only
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
STATIC_ROOT = None  # static files come from the apps (finders); collectstatic is for production
WHITENOISE_USE_FINDERS = True
