#!/bin/sh
# Install everything the test suite needs on a fresh Debian machine, then run it.
# Usage: sh scripts/test.sh [pytest arguments]      (CI: MAILBRIDGE_REQUIRE_SERVERS=1)
set -eu
cd "$(dirname "$0")/.."

# Debian packages: Dovecot (real IMAP server) and PostgreSQL (real database) for the tests.
missing=""
dpkg -s dovecot-imapd >/dev/null 2>&1 || missing="$missing dovecot-imapd"
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing="$missing postgresql"
if [ -n "$missing" ]; then
    if [ "$(id -u)" = 0 ]; then sudo=""; elif command -v sudo >/dev/null 2>&1; then sudo="sudo"; else
        echo "scripts/test.sh: need root (or sudo) to install:$missing" >&2; exit 1; fi
    echo "installing Debian packages:$missing"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi

# Python: a project virtualenv with the test extra.
python3 -m venv .venv
.venv/bin/python -m pip install -q --disable-pip-version-check -e ".[test]"

exec .venv/bin/python -m pytest -q "$@"
