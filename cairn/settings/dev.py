"""Local development and the demo: SQLite, console email, debug pages on loopback only."""

import os

from .base import *  # noqa: F403

DEBUG = True
SECRET_KEY = os.environ.get("CAIRN_SECRET_KEY", "dev-only-insecure-key-never-used-in-production")
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "[::1]"]
EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
# Card gifts through a local fake of Stripe (cairn.fundraising.providers): nothing leaves the host
CAIRN_PAYMENTS = os.environ.get("CAIRN_PAYMENTS", "fake")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
STATIC_ROOT = None  # static files come from the apps (finders); collectstatic is for production
WHITENOISE_USE_FINDERS = True
