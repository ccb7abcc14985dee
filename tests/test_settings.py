import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PRINT_DEBUG = "import django; django.setup(); from django.conf import settings; print(settings.DEBUG)"


def _import_base_settings(**env) -> subprocess.CompletedProcess:
    clean_env = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DJANGO_SETTINGS_MODULE"}}
    return subprocess.run(  # noqa: S603 - our own interpreter and code
        [sys.executable, "-c", PRINT_DEBUG],
        cwd=ROOT,
        env={**clean_env, "DJANGO_SETTINGS_MODULE": "config.settings.base", **env},
        capture_output=True,
        text=True,
        check=False,
    )


def test_production_settings_refuse_to_start_without_a_secret_key():
    result = _import_base_settings()

    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_production_settings_are_production_by_default():
    result = _import_base_settings(SECRET_KEY="a-real-secret")

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"


@pytest.mark.django_db
def test_pages_carry_the_security_headers(client, settings):
    settings.SECURE_HSTS_SECONDS = 31536000

    response = client.get("/", secure=True)

    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Strict-Transport-Security"].startswith("max-age=31536000")
    csp = response["Content-Security-Policy"]
    assert "script-src 'self' 'nonce-" in csp
    assert "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp


def test_the_ui_speaks_french_in_paris_time(settings):
    assert settings.LANGUAGE_CODE == "fr"
    assert settings.TIME_ZONE == "Europe/Paris"


def test_the_database_is_opened_for_concurrent_work():
    from config.settings import base

    database = base.DATABASES["default"]
    if database["ENGINE"] == "django.db.backends.sqlite3":
        # select_for_update is a no-op on SQLite: transactions take the write lock at once instead.
        assert database["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
        assert "journal_mode=WAL" in database["OPTIONS"]["init_command"]
    else:
        assert database["CONN_HEALTH_CHECKS"] is True
