#!/usr/bin/env bash
# Serve Parcours as users see it (`run`: production settings on SQLite) or for developers (`dev`),
# with the background worker and the periodic jobs beside the server.
set -euo pipefail
cd "$(dirname "$0")/.."
mode="${1:-run}"
port="${PORT:-8000}"
py=.venv/bin/python

if ! "$py" -c "import weasyprint" >/dev/null 2>&1; then
    echo "The PDF engine (WeasyPrint) cannot find its system libraries." >&2
    echo "On Debian or Ubuntu: sudo apt-get install libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core" >&2
    exit 1
fi

mkdir -p var
# Development secrets, made once and kept under var/ (never committed).
if [ ! -f var/run.env ]; then
    "$py" - > var/run.env <<'PYEOF'
import secrets
from cryptography.fernet import Fernet
print(f"SECRET_KEY={secrets.token_urlsafe(50)}")
print(f"PARCOURS_NIR_KEY={Fernet.generate_key().decode()}")
print(f"PARCOURS_NIR_HASH_KEY={secrets.token_urlsafe(32)}")
PYEOF
    chmod 600 var/run.env
fi
set -a
. var/run.env
set +a

export PARCOURS_DEV_OUTBOX=1
export PARCOURS_NIR_LEGAL_BASIS="${PARCOURS_NIR_LEGAL_BASIS-Décret n° 2019-341 du 19 avril 2019 (démonstration)}"
export SECURE_SSL_REDIRECT=0
export SECURE_HSTS_SECONDS=0
export ALLOWED_HOSTS="${ALLOWED_HOSTS:-127.0.0.1,localhost}"
export PARCOURS_BASE_URL="${PARCOURS_BASE_URL:-http://127.0.0.1:$port}"
if [ "$mode" = dev ]; then
    export DJANGO_SETTINGS_MODULE=config.settings.dev
else
    export DJANGO_SETTINGS_MODULE=config.settings.base
fi

"$py" manage.py migrate --no-input -v 0
"$py" manage.py createcachetable
"$py" manage.py collectstatic --no-input -v 0
"$py" manage.py demo

# One process group: stopping the server (Ctrl-C) stops the worker and the scheduler too.
trap 'trap - EXIT INT TERM; kill 0 2>/dev/null; wait' EXIT INT TERM
"$py" manage.py db_worker --interval 1 --no-startup-delay &
"$py" manage.py run_scheduler &

echo
echo "Parcours : http://127.0.0.1:$port/"
echo "Courriels envoyés (boîte de développement) : http://127.0.0.1:$port/dev/outbox/"
echo
if [ "$mode" = dev ]; then
    "$py" manage.py runserver "127.0.0.1:$port"
else
    .venv/bin/gunicorn config.wsgi --bind "127.0.0.1:$port" --workers 2 --access-logfile - --log-level warning
fi
