#!/usr/bin/env bash
# Tell exactly what to install when Python 3.11 or its venv module is missing.
python="$1"
if ! command -v "$python" >/dev/null 2>&1; then
    echo "Parcours needs Python 3.11 ($python not found)." >&2
    echo "On Debian or Ubuntu: sudo apt-get install python3.11 python3.11-venv" >&2
    exit 1
fi
if ! "$python" -c "import ensurepip, venv" >/dev/null 2>&1; then
    echo "The venv module of $python is missing." >&2
    echo "On Debian or Ubuntu: sudo apt-get install python3.11-venv" >&2
    exit 1
fi
