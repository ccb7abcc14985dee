#!/usr/bin/env bash
# The whole suite (unit and browser tests) on SQLite, or on PostgreSQL when DATABASE_URL is set.
set -euo pipefail
cd "$(dirname "$0")/.."

packages="chromium fonts-dejavu-core libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 poppler-utils"
missing=""
for pkg in $packages; do
    dpkg -s "$pkg" >/dev/null 2>&1 || missing="$missing $pkg"
done
if [ -n "$missing" ] && ! command -v dpkg >/dev/null 2>&1; then
    [ -x /usr/bin/chromium ] && missing="" || missing=" chromium"
fi
if [ -n "$missing" ]; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
        echo "Installing the machine packages the tests need:$missing"
        apt-get update -q
        DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $missing
    else
        echo "The browser tests need Debian packages that are missing:$missing" >&2
        echo "Run: sudo apt-get install --no-install-recommends$missing" >&2
        exit 1
    fi
fi

if [ -n "${DATABASE_URL:-}" ]; then
    echo "Database: PostgreSQL (${DATABASE_URL%%@*}@…)"
else
    echo "Database: SQLite"
fi
exec .venv/bin/pytest -n "${PARCOURS_TEST_WORKERS:-2}" "$@"
