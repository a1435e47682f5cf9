"""Secrets at rest: notification URLs carry API keys and passwords, so the database keeps them encrypted.

Fernet (AES-128-CBC + HMAC-SHA256) from ``cryptography``. The key is ``ANDIAN_SECRET_KEY`` when set, else a key
file created beside the database on first use (mode 0600). A copied database without its key reveals no
secret; losing the key means re-entering the URLs, which is said in docs/notifications.md.
"""

from __future__ import annotations

import os
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken

__all__ = ["SecretUnreadable", "Secrets"]

KEY_FILE = "secret.key"


class SecretUnreadable(Exception):
    """A stored secret that this key cannot open (the key changed)."""


class Secrets:
    def __init__(self, key: str | bytes) -> None:
        self._fernet = Fernet(key)

    @classmethod
    def for_database(cls, files_dir: Path, configured: str = "") -> Secrets:
        """The configured key, else the key file in the database's folder of files (made on first use)."""
        if configured:
            return cls(configured)
        path = files_dir / KEY_FILE
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            try:
                fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            except FileExistsError:  # another process made it first
                pass
            else:
                with os.fdopen(fd, "wb") as out:
                    out.write(Fernet.generate_key())
        return cls(path.read_bytes().strip())

    def seal(self, plain: str) -> bytes:
        return self._fernet.encrypt(plain.encode())

    def open(self, sealed: bytes | str) -> str:
        try:
            return self._fernet.decrypt(sealed).decode()
        except InvalidToken as exc:
            raise SecretUnreadable("stored secret does not open with this key; was ANDIAN_SECRET_KEY changed?") from exc
