#!/usr/bin/env bash
# The acceptance suite: the real OSDI clients (osdi 0.3.1, Parsons 6.1.0) against a live Cairn.
# Makes .venv-acceptance if missing or stale (the clients pin packages that do not belong in
# Cairn's own environment), serves Cairn on a free loopback port with a throwaway SQLite database
# under var/, seeds a coalition with a steward and a token, runs acceptance/ with the acceptance
# venv's Python, and stops the server. Arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${VENV:-.venv}/bin
ACC=${ACCEPTANCE_VENV:-.venv-acceptance}
PYTHON=${PYTHON:-$(command -v python3.11 || command -v python3)}
export PYTHONDONTWRITEBYTECODE=1
unset DATABASE_URL

step() { printf '\n== %s\n' "$*"; }

# A venv is current when it imports the clients and was built from this requirements file.
stamp="$ACC/.requirements.sha256"
wanted=$(sha256sum acceptance/requirements.txt | cut -d' ' -f1)
if ! { [ -x "$ACC/bin/python" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$wanted" ] \
        && "$ACC/bin/python" -c 'import osdi, parsons, pytest' 2>/dev/null; }; then
    step "acceptance venv ($ACC)"
    rm -rf "$ACC"
    "$PYTHON" -m venv "$ACC"
    "$ACC/bin/pip" install --quiet --upgrade pip
    "$ACC/bin/pip" install --quiet -r acceptance/requirements.txt
    echo "$wanted" >"$stamp"
fi

mkdir -p var
RUN_DIR=$(mktemp -d "$PWD/var/acceptance.XXXXXX")
export CAIRN_DATA_DIR="$RUN_DIR" DJANGO_SETTINGS_MODULE=cairn.settings.dev
export CAIRN_API_RATE_LIMIT=100000  # the suite is one fast client; the limit has its own tests
SERVER_PID=""
cleanup() {
    if [ -n "$SERVER_PID" ]; then kill "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; fi
    rm -rf "$RUN_DIR"
}
trap cleanup EXIT

step "acceptance server (throwaway database in $RUN_DIR)"
"$BIN/python" manage.py migrate --verbosity 0
SLUG=$("$BIN/python" acceptance/seed.py)
TOKEN=$("$BIN/python" manage.py create_api_token --coalition "$SLUG" --name acceptance)
PORT=$("$BIN/python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$BIN/python" manage.py runserver --noreload "127.0.0.1:$PORT" >"$RUN_DIR/server.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 1 100); do
    if "$BIN/python" -c "import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=1)" \
        "http://127.0.0.1:$PORT/api/v2/openapi.json" 2>/dev/null; then
        break
    fi
    if ! kill -0 "$SERVER_PID" 2>/dev/null; then cat "$RUN_DIR/server.log" >&2; exit 1; fi
    sleep 0.2
done

step "acceptance tests (osdi 0.3.1, Parsons 6.1.0) against http://127.0.0.1:$PORT/api/v2"
status=0
CAIRN_ACCEPTANCE_URL="http://127.0.0.1:$PORT/api/v2" CAIRN_ACCEPTANCE_TOKEN="$TOKEN" \
CAIRN_ACCEPTANCE_DB="$RUN_DIR/cairn.sqlite3" \
    "$ACC/bin/python" -m pytest -q -c acceptance/pytest.ini acceptance "$@" || status=$?
if [ "$status" != 0 ]; then
    echo "The server's log (last 40 lines):" >&2
    tail -n 40 "$RUN_DIR/server.log" >&2
fi
exit "$status"
