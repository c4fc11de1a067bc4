"""The private halves of the coalitions' checkpoint-signing keys, encrypted at rest.

A key's private half is stored as a Fernet token (AES-128-CBC with HMAC-SHA256) under a key derived
from Django's SECRET_KEY with HKDF-SHA256, so a copy of the database alone (a backup, a read
replica, a leaked dump) cannot sign a checkpoint: that needs the deployment's secret as well.
Decryption also tries SECRET_KEY_FALLBACKS, so SECRET_KEY rotates the usual Django way; a key
that no secret opens any more is replaced by rotating the coalition's signing key (the old public
key stays, and the checkpoints it signed still verify).
"""

from __future__ import annotations

import base64

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat
from django.conf import settings

SALT = b"cairn.governance.keys"
INFO = b"decision-log checkpoint signing key"


class KeyUnavailable(Exception):
    """No configured secret decrypts this key (SECRET_KEY changed without a fallback)."""


def _fernet(secret: str) -> Fernet:
    derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=SALT, info=INFO).derive(
        secret.encode()
    )
    return Fernet(base64.urlsafe_b64encode(derived))


def _secrets() -> list[str]:
    return [str(settings.SECRET_KEY), *(str(s) for s in settings.SECRET_KEY_FALLBACKS)]


def encrypt_private_key(private_key: Ed25519PrivateKey) -> str:
    raw = private_key.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
    return _fernet(str(settings.SECRET_KEY)).encrypt(raw).decode("ascii")


def decrypt_private_key(token: str) -> Ed25519PrivateKey:
    try:
        raw = MultiFernet([_fernet(s) for s in _secrets()]).decrypt(token.encode("ascii"))
    except InvalidToken as error:
        raise KeyUnavailable(
            "No configured secret decrypts this signing key; rotate the coalition's key."
        ) from error
    return Ed25519PrivateKey.from_private_bytes(raw)
