"""mailbridge: a support mailbox in, cases and acknowledgements out."""

__version__ = "0.1.0"
