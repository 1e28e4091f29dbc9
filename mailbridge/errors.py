"""One small exception tree; each class says when it is raised.

``SkipRest`` is a control signal, not an error, so it sits outside the tree
(Mailman's ``DiscardMessage`` is the model).
"""

from __future__ import annotations


class MailbridgeError(Exception):
    """Root of every error mailbridge raises on purpose."""


class ConfigError(MailbridgeError):
    """The TOML file is missing, malformed or has a bad key; the text names file and key."""


class TransientError(MailbridgeError):
    """IMAP, SMTP or the database is unreachable right now.

    Nothing is advanced (no checkpoint, no outbox state); the next poll tries again.
    """


class UnprocessableError(MailbridgeError):
    """This one message cannot be processed; it is quarantined with this reason."""


class SkipRest(Exception):
    """Stop running further steps for this message; it is not a failure.

    Raised, for instance, when the message is an exact redelivery already stored.
    """

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason
