"""API keys: who a caller is, and which provider and sites it may submit events for.

A key is shown once at creation (``ll_<prefix>_<secret>``); only its SHA-256 hash is stored.
The secret has 256 bits of entropy, so a fast hash is safe (no dictionary to attack) and lets
every request be checked with one indexed lookup.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

KEY_PREFIX = "ll"


class KeyRole(StrEnum):
    """What kind of caller holds the key."""

    SOURCE_SYSTEM = "source_system"  # another system publishing events
    STAFF_APP = "staff_app"  # the app staff report from
    ADMIN = "admin"  # provider-wide governance and administration


@dataclass(frozen=True)
class ApiKey:
    """A stored key: identity, tenancy and role (never the secret)."""

    key_id: str
    name: str
    provider_id: str
    sites: frozenset[str] | None  # None: every site of the provider
    role: KeyRole
    created_at: datetime
    revoked_at: datetime | None = None

    @property
    def active(self) -> bool:
        return self.revoked_at is None


@dataclass(frozen=True)
class NewKey:
    """A freshly generated key: the plaintext is shown once, the hash is stored."""

    key_id: str
    plaintext: str
    key_hash: str


def generate_key() -> NewKey:
    """A new random key with a short public id (to list and revoke it by)."""
    key_id = secrets.token_hex(4)
    plaintext = f"{KEY_PREFIX}_{key_id}_{secrets.token_urlsafe(32)}"
    return NewKey(key_id=key_id, plaintext=plaintext, key_hash=hash_key(plaintext))


def hash_key(plaintext: str) -> str:
    """The stored form of a key."""
    return hashlib.sha256(plaintext.encode()).hexdigest()


def same_hash(left: str, right: str) -> bool:
    """Constant-time comparison of two key hashes."""
    return hmac.compare_digest(left, right)


class Refusal(StrEnum):
    """Why a key may not submit an event."""

    WRONG_PROVIDER = "wrong_provider"
    WRONG_SITE = "wrong_site"


def refusal_for(key: ApiKey, *, provider_id: str, site_id: str) -> Refusal | None:
    """None when ``key`` may submit an event for this provider and site, else the reason."""
    if provider_id != key.provider_id:
        return Refusal.WRONG_PROVIDER
    if key.sites is not None and site_id not in key.sites:
        return Refusal.WRONG_SITE
    return None
