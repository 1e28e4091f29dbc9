#!/bin/sh
# Install everything the test suite needs on a fresh Debian machine, then run it.
# Usage: sh scripts/test.sh [pytest arguments]
# (CI: MAILBRIDGE_REQUIRE_SERVERS=1 MAILBRIDGE_REQUIRE_COMPILED=1)
set -eu
cd "$(dirname "$0")/.."

# Debian packages: Dovecot (real IMAP server) and PostgreSQL (real database) for the tests,
# gcc for the compiled extraction core.
missing=""
dpkg -s dovecot-imapd >/dev/null 2>&1 || missing="$missing dovecot-imapd"
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing="$missing postgresql"
command -v gcc >/dev/null 2>&1 || missing="$missing gcc"  # compiles the extraction core (setup.py)
if [ -n "$missing" ]; then
    if [ "$(id -u)" = 0 ]; then sudo=""; elif command -v sudo >/dev/null 2>&1; then sudo="sudo"; else
        echo "scripts/test.sh: need root (or sudo) to install:$missing" >&2; exit 1; fi
    echo "installing Debian packages:$missing"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi

# Python: a project virtualenv with the test extra. The install compiles the extraction core
# with mypyc (setup.py; under a minute).
python3 -m venv .venv
.venv/bin/python -m pip install -q --disable-pip-version-check -e ".[test]"

.venv/bin/python -m pytest -q "$@"
if [ $# -eq 0 ]; then
    # The extraction tests once more on the Python sources: what a machine without a C
    # compiler runs (mailbridge/compiled.py).
    echo "extraction tests on the Python sources (MAILBRIDGE_PURE_PYTHON=1):"
    MAILBRIDGE_PURE_PYTHON=1 .venv/bin/python -m pytest -q -p no:cacheprovider tests/extraction
fi
