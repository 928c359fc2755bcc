"""argon2id password hashes: argon2-cffi's defaults (RFC 9106 low-memory profile) in
production; ``ARGON2_PARAMS`` may lower the cost where speed matters more (the test suite)."""

from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app


@cache
def _hasher(params: tuple = ()) -> PasswordHasher:
    return PasswordHasher(**dict(params))


@cache
def _dummy_hash(params: tuple = ()) -> str:
    # Verified against when the user is unknown, so both answers take the same time.
    return _hasher(params).hash("gocua-no-such-user")


def _params() -> tuple:
    return tuple(sorted(current_app.config.get("ARGON2_PARAMS", {}).items()))


def hash_password(password: str) -> str:
    return _hasher(_params()).hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    params = _params()
    try:
        return _hasher(params).verify(password_hash or _dummy_hash(params), password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher(_params()).check_needs_rehash(password_hash)
