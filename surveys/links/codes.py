"""Unguessable link codes that are still short enough to read out."""

from __future__ import annotations

import secrets

# Crockford's base32 alphabet: no I, L, O or U, so a code read aloud is not misheard.
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_LENGTH = 14  # 14 symbols x 5 bits = 70 random bits


def new_link_code() -> str:
    """Return a fresh random code of 70 bits."""
    return "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))


def normalize_code(raw: str) -> str:
    """Return a typed-in code in canonical form (upper case, look-alike letters folded)."""
    cleaned = raw.strip().upper().replace("-", "").replace(" ", "")
    return cleaned.translate(str.maketrans({"I": "1", "L": "1", "O": "0"}))


def is_code(text: str) -> bool:
    """Return whether a normalized text is made only of the code alphabet."""
    return bool(text) and all(symbol in ALPHABET for symbol in text)
