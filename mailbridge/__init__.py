"""mailbridge: a support mailbox in, cases and acknowledgements out."""

from mailbridge import compiled as _compiled

__version__ = "0.1.0"

_compiled.install()  # before anything imports mailbridge.extraction (see mailbridge/compiled.py)
