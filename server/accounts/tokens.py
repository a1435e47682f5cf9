"""Bearer secrets: user tokens and gateway API keys. Only their SHA-256 is stored."""

from __future__ import annotations

import hashlib
import secrets

__all__ = ["GATEWAY_PREFIX", "TOKEN_PREFIX", "new_secret", "secret_hash"]

TOKEN_PREFIX = "adt_"  # user session token
GATEWAY_PREFIX = "adg_"  # gateway API key


def new_secret(prefix: str) -> str:
    """256 random bits, URL-safe; the prefix tells a token from a gateway key at a glance (and to scanners)."""
    return prefix + secrets.token_urlsafe(32)


def secret_hash(secret: str) -> str:
    """A fast hash is right here: the secret has 256 bits of entropy, unlike a password."""
    return hashlib.sha256(secret.encode()).hexdigest()
