"""argon2id password hashes (argon2-cffi). Verification costs ~20 ms: run it off the event loop."""

from __future__ import annotations

import itertools

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from server.accounts.common_passwords import COMMON_PASSWORDS

__all__ = ["hash_password", "password_problem", "verify_password"]

# OWASP Password Storage Cheat Sheet, argon2id minimum: m=19 MiB, t=2, p=1.
_hasher = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)

# Verified when the username is unknown or disabled, so that a wrong username costs as long as a wrong password:
# made by the same hasher, so it has the same parameters (and cost) as every stored hash.
_DUMMY_HASH = _hasher.hash("andian-no-such-user")

MIN_PASSWORD_LENGTH = 8


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def password_problem(password: str) -> str | None:
    """Why ``password`` may not be set, or None when it may: too short, too common, or a trivial pattern."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"must be at least {MIN_PASSWORD_LENGTH} characters"
    plain = password.strip().casefold()
    if plain in COMMON_PASSWORDS or _is_run(plain):
        return ("is one of the most common passwords, which attackers try first; choose another one of at least "
                f"{MIN_PASSWORD_LENGTH} characters that is not a word, a name or a number pattern, "
                "e.g. three words and a number")
    return None


def _is_run(text: str) -> bool:
    """One character repeated (aaaaaaaa), or a run up or down the alphabet or digits (23456789, hgfedcba)."""
    steps = {ord(b) - ord(a) for a, b in itertools.pairwise(text)}
    return steps <= {0} or steps == {1} or steps == {-1}


def verify_password(password_hash: str | None, password: str) -> bool:
    """Always runs argon2: against the dummy hash when ``password_hash`` is None (and then answers False)."""
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False
