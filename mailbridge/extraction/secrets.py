"""Secrets customers must never send (seed phrases, private keys): find and redact.

Placeholder with the agreed signature; the real implementation replaces it.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class SecretSpan:
    kind: str  # "seed phrase" | "private key" | "wif key" | "api secret"
    start: int
    end: int


def find_secrets(text: str) -> list[SecretSpan]:
    return []


def redact(text: str) -> tuple[str, list[str]]:
    """``text`` with every secret replaced by ``[REDACTED: kind]``, and the kinds found."""
    return text, []
