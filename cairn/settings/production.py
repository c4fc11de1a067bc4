"""Production: every secret and host from the environment; passes `manage.py check --deploy`."""

import os

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import SECRET_KEY

if not SECRET_KEY:
    raise ImproperlyConfigured("Set CAIRN_SECRET_KEY (50+ random characters) for production.")

DEBUG = False
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = os.environ.get("CAIRN_SSL_REDIRECT", "1") == "1"
# The OSDI API never redirects (a redirected POST becomes a GET): over plain HTTP it answers a
# JSON 403 instead (cairn.api.osdi.urls).
SECURE_REDIRECT_EXEMPT = [r"^api/v2(/|$)"]
SECURE_HSTS_SECONDS = int(os.environ.get("CAIRN_HSTS_SECONDS", str(60 * 60 * 24 * 365)))
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
