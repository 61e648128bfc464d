"""Field encryption for patient-identifying data (Fernet: AES-128-CBC with HMAC-SHA256, from `cryptography`).

Ciphertext is stored as text; nothing decrypts automatically on load. Code that shows a patient's identity calls
`decrypt()` through a service that checks permission and writes an audit event first.

Keys come from FIELD_ENCRYPTION_KEYS (comma-separated Fernet keys, newest first, so keys can be rotated: old data
stays readable and `rotate()` re-encrypts it with the newest key). Without it, a key is derived from SECRET_KEY,
which is allowed only with DEBUG or SAMHANDLING_INSECURE_DEV_KEY (the demo and the tests): settings refuse to start
without explicit keys in production.
"""

import base64
import hashlib
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.checks import Warning, register


def _derived_key() -> bytes:
    digest = hashlib.sha256(b"samhandling-field-encryption:" + settings.SECRET_KEY.encode()).digest()
    return base64.urlsafe_b64encode(digest)


@lru_cache(maxsize=4)
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    material = [key.encode() for key in keys] or [_derived_key()]
    return MultiFernet([Fernet(key) for key in material])


def _configured() -> MultiFernet:
    return _fernet(tuple(settings.FIELD_ENCRYPTION_KEYS))


def encrypt(plaintext: str) -> str:
    if not plaintext:
        return ""
    return _configured().encrypt(plaintext.encode("utf-8")).decode("ascii")


def decrypt(token: str) -> str:
    if not token:
        return ""
    try:
        return _configured().decrypt(token.encode("ascii")).decode("utf-8")
    except InvalidToken:
        raise ValueError("cannot decrypt: wrong key or damaged data") from None


def rotate(token: str) -> str:
    return _configured().rotate(token.encode("ascii")).decode("ascii") if token else ""


@register(deploy=True)
def check_encryption_key(app_configs, **kwargs):
    if settings.FIELD_ENCRYPTION_KEYS:
        return []
    return [
        Warning(
            "FIELD_ENCRYPTION_KEYS is not set; patient identifiers are encrypted with a key derived from SECRET_KEY.",
            hint="Generate a key with `python -c 'from cryptography.fernet import Fernet; "
            "print(Fernet.generate_key().decode())'` and set FIELD_ENCRYPTION_KEYS.",
            id="samhandling.W001",
        )
    ]
