"""Developers' settings (make dev): DEBUG, auto-reload, the development outbox, plain http."""

import os

os.environ.setdefault("PARCOURS_DEV_OUTBOX", "1")
os.environ.setdefault("SECURE_SSL_REDIRECT", "0")
os.environ.setdefault("ALLOWED_HOSTS", "127.0.0.1,localhost")
os.environ.setdefault("PARCOURS_NIR_LEGAL_BASIS", "Décret n° 2019-341 du 19 avril 2019 (démonstration)")
# make dev reads real development keys from var/run.env; these only serve a bare `manage.py`.
os.environ.setdefault("PARCOURS_NIR_KEY", "ZGV2ZWxvcG1lbnQtb25seS1uaXIta2V5LTAxMjM0NTY=")
os.environ.setdefault("PARCOURS_NIR_HASH_KEY", "development-only-nir-hash-key")

from config.settings.base import *  # noqa: F403

DEBUG = True
SECURE_HSTS_SECONDS = 0
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}  # noqa: F405
