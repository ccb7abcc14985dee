"""Test settings: the production base with fast hashing, synchronous tasks and the outbox."""

import os

os.environ.setdefault("SECRET_KEY", "tests-only-secret-key-not-for-production-0123456789")
os.environ.setdefault("PARCOURS_DEV_OUTBOX", "1")
os.environ.setdefault("SECURE_SSL_REDIRECT", "0")
os.environ.setdefault("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
os.environ.setdefault("PARCOURS_BASE_URL", "http://testserver")
os.environ.setdefault("PARCOURS_NIR_LEGAL_BASIS", "Décret n° 2019-341 du 19 avril 2019 (tests)")
os.environ.setdefault("PARCOURS_NIR_KEY", "dGVzdHMtb25seS1uaXIta2V5LTAxMjM0NTY3ODlhYmM=")
os.environ.setdefault("PARCOURS_NIR_HASH_KEY", "tests-only-nir-hash-key")

from config.settings.base import *  # noqa: F403
from config.settings.base import CACHES, DATABASES, env

# One in-memory SQLite per xdist worker; on PostgreSQL pytest-django adds the worker suffix.
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["TEST"] = {"NAME": ":memory:"}

# Each xdist worker gets its own Redis database on the PostgreSQL run; otherwise local memory.
if env.str("CACHE_URL", default=""):
    _worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw") or "0"
    CACHES["default"]["LOCATION"] = CACHES["default"]["LOCATION"].rsplit("/", 1)[0] + f"/{int(_worker) % 15 + 1}"
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# The test client and live server speak plain http.
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
SECURE_HSTS_SECONDS = 0
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *PASSWORD_HASHERS]  # noqa: F405
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}  # noqa: F405
# Generated and uploaded documents stay in memory: nothing written under var/ by the suite.
STORAGES["default"] = {"BACKEND": "django.core.files.storage.InMemoryStorage"}  # noqa: F405
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
PARCOURS_EMAIL_RETRY_BASE_SECONDS = 1
# Tests serve static files from the finders; there is no collectstatic output to look for.
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True
STATIC_ROOT = None
# ALTCHA solves itself as the page loads, quickly: journeys wait for "vérifié" instead of clicking.
ALTCHA_CHALLENGE = {"cost": 10, "key_prefix": "0"}
ALTCHA_WIDGET_DEFAULTS = {"type": "checkbox", "display": "standard", "auto": "onload"}
