#!/bin/sh
# Install mailbridge with its demo extra into .venv and run the demo (local IMAP + SMTP, SQLite).
# Uses Dovecot when installed, else a pure-Python IMAP server. Usage: sh scripts/demo.sh [--dir DIR]
set -eu
cd "$(dirname "$0")/.."
python3 -m venv .venv
.venv/bin/python -m pip install -q --disable-pip-version-check -e ".[demo]"
exec .venv/bin/mailbridge demo "$@"
