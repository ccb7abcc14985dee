"""Developers' settings (make dev): DEBUG, auto-reload, the development outbox, plain http."""

import os

os.environ.setdefault("PARCOURS_DEV_OUTBOX", "1")
os.environ.setdefault("SECURE_SSL_REDIRECT", "0")
os.environ.setdefault("ALLOWED_HOSTS", "127.0.0.1,localhost")

from config.settings.base import *  # noqa: E402,F403

DEBUG = True
SECURE_HSTS_SECONDS = 0
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}  # noqa: F405
