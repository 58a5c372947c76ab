"""Identifiers in bulk: link codes, UUIDs and client hashes, vectorised over numpy arrays."""

from __future__ import annotations

import os

import numpy as np

from surveys.links.codes import ALPHABET, CODE_LENGTH


def link_codes(n: int) -> np.ndarray:
    """Return n fresh 70-bit link codes (as ``new_link_code`` makes them), vectorised."""
    alphabet = np.frombuffer(ALPHABET.encode(), dtype=np.uint8)
    # 256 is a multiple of 32: the low five bits of a random byte are uniform.
    symbols = np.frombuffer(os.urandom(n * CODE_LENGTH), dtype=np.uint8) & 31
    return alphabet[symbols].view(f"S{CODE_LENGTH}").ravel().astype(f"U{CODE_LENGTH}")


_HEX = np.frombuffer(b"0123456789abcdef", dtype=np.uint8)


def _hex(raw: np.ndarray) -> np.ndarray:
    """Return the rows of a (n, k) byte array as (n, 2k) ASCII hex digits."""
    out = np.empty((raw.shape[0], raw.shape[1] * 2), dtype=np.uint8)
    out[:, 0::2] = _HEX[raw >> 4]
    out[:, 1::2] = _HEX[raw & 15]
    return out


def random_uuids(n: int) -> np.ndarray:
    """Return n random (version 4) UUIDs in canonical text form, vectorised."""
    raw = np.frombuffer(os.urandom(16 * n), dtype=np.uint8).reshape(n, 16).copy()
    raw[:, 6] = (raw[:, 6] & 0x0F) | 0x40
    raw[:, 8] = (raw[:, 8] & 0x3F) | 0x80
    digits = _hex(raw)
    text = np.full((n, 36), ord("-"), dtype=np.uint8)
    for start, end, at in ((0, 8, 0), (8, 12, 9), (12, 16, 14), (16, 20, 19), (20, 32, 24)):
        text[:, at : at + end - start] = digits[:, start:end]
    return text.view("S36").ravel().astype("U36")


def random_hashes(n: int) -> np.ndarray:
    """Return n client hashes shaped like ``surveys.privacy.client_hash`` (32 hex digits)."""
    raw = np.frombuffer(os.urandom(16 * n), dtype=np.uint8).reshape(n, 16)
    return _hex(raw).view("S32").ravel().astype("U32")
