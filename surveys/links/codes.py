"""Unguessable link codes that are still short enough to read out."""

from __future__ import annotations

import secrets

# Crockford's base32 alphabet: no I, L, O or U, so a code read aloud is not misheard.
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_LENGTH = 14  # 14 symbols x 5 bits = 70 random bits

# Letters read out or copied by hand: I, L and O are digits in Crockford's alphabet, and the
# Cyrillic letters that look like Latin ones (Russian and Kazakh keyboards type them when a
# code is copied off paper) are their Latin twins, so a mistyped code is never a "guess".
_FOLDS = str.maketrans(
    # Latin I, L, O, then Cyrillic A, VE, IE, KA, EM, EN, O, ER, ES, TE, HA.
    "ILO\u0410\u0412\u0415\u041a\u041c\u041d\u041e\u0420\u0421\u0422\u0425",
    "110ABEKMH0PCTX",
)


def new_link_code() -> str:
    """Return a fresh random code of 70 bits."""
    return "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))


WITHDRAW_CODE_LENGTH = 12  # 60 random bits, written down as XXXX-XXXX-XXXX


def new_withdraw_code() -> str:
    """Return a fresh random withdrawal code of 60 bits."""
    return "".join(secrets.choice(ALPHABET) for _ in range(WITHDRAW_CODE_LENGTH))


def normalize_code(raw: str) -> str:
    """Return a typed-in code in canonical form (upper case, look-alike letters folded)."""
    # upper() first: the lower-case Cyrillic look-alikes become the capitals folded below.
    return raw.strip().upper().replace("-", "").replace(" ", "").translate(_FOLDS)


def is_code(text: str) -> bool:
    """Return whether a normalized text is made only of the code alphabet."""
    return bool(text) and all(symbol in ALPHABET for symbol in text)
