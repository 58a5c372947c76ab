"""Paradata and quality flags in bulk, shaped as ``response_submit`` stores them.

Each generated respondent gets seconds per page (the page's share of the total grows with its
number of questions), an occasional language switch, a device class and a device hash. A
chosen share is flagged as the platform would flag it: ``too_fast`` respondents took less than
40 % of the median (most of them less than the survey's floor too) and everyone else more;
``same_device`` respondents carry the device hash of an earlier respondent, with
``same_device_other_chain`` when that one sits under another seed link.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import numpy as np

from sampledata.identifiers import random_hashes
from surveys.links import limits
from surveys.models import Page, Survey
from surveys.paradata.speed import TOO_FAST_SHARE
from surveys.paradata.timing import LANGUAGE_SWITCHES, PAGE_SECONDS, TOTAL_SECONDS

DURATION_MEDIAN_SECONDS, DURATION_SIGMA = 420.0, 0.6
DURATION_MAX_SECONDS = 7200
# Of the flagged share, how many are speeders and how many answered twice from one browser.
TOO_FAST_PART, SAME_DEVICE_PART = 0.6, 0.4
SWITCHED_LANGUAGE = 0.03
DEVICE_SHARES: dict[str, float] = {"phone": 0.64, "desktop": 0.29, "tablet": 0.07}
# Seconds between consent and the first page, and between pages, on top of the page seconds.
SLACK_SECONDS = (20, 90)


@dataclass(frozen=True)
class Timing:
    """Paradata of n respondents, one entry per row."""

    paradata: list[str]  # JSON text
    quality_flags: list[str]  # JSON text
    device_class: np.ndarray
    device_hash: np.ndarray
    duration_seconds: np.ndarray  # from consent to submit


def _page_weights(pages: list[Page]) -> np.ndarray:
    return np.array([max(1, len(page.questions.all())) for page in pages], dtype=float)


def timing_draw(
    *, survey: Survey, seed_of_row: np.ndarray, flagged_share: float, rng: np.random.Generator
) -> Timing:
    """Draw the paradata and flags of n respondents whose chains are given by seed_of_row."""
    n = int(seed_of_row.size)
    pages = survey.ordered_pages()
    positions = [str(page.position) for page in pages]
    # The line between too fast and not: 40 % of the median, or the survey's floor if higher.
    line = max(float(survey.min_completion_seconds), TOO_FAST_SHARE * DURATION_MEDIAN_SECONDS)
    fast = rng.random(n) < flagged_share * TOO_FAST_PART
    total = rng.lognormal(np.log(DURATION_MEDIAN_SECONDS), DURATION_SIGMA, size=n)
    total = np.clip(total, 1.15 * line, DURATION_MAX_SECONDS)
    total[fast] = rng.uniform(0.25, 0.9, size=int(fast.sum())) * line
    weights = rng.gamma(4 * _page_weights(pages), size=(n, len(positions)))
    seconds = np.maximum(np.rint(weights / weights.sum(axis=1, keepdims=True) * total[:, None]), 1)
    seconds = seconds.astype(np.int64)
    switches = (rng.random(n) < SWITCHED_LANGUAGE).astype(np.int64)
    classes = np.array(list(DEVICE_SHARES))
    device_class = classes[rng.choice(len(classes), size=n, p=list(DEVICE_SHARES.values()))]

    device_hash = random_hashes(n)
    twice = rng.random(n) < flagged_share * SAME_DEVICE_PART
    twice[0] = False  # the first respondent has nobody before them
    other_chain = _repeat_devices(device_hash, twice, seed_of_row, rng)

    # One template for every row: json.dumps per row would cost seconds at a million rows.
    pages_text = ", ".join(f"{json.dumps(position)}: %d" for position in positions)
    template = (
        f'{{"{PAGE_SECONDS}": {{{pages_text}}}, "{LANGUAGE_SWITCHES}": %d, "{TOTAL_SECONDS}": %d}}'
    )
    columns = np.column_stack([seconds, switches, seconds.sum(axis=1)]).tolist()
    paradata = [template % tuple(row) for row in columns]
    flag_texts: dict[tuple[bool, bool, bool], str] = {}
    flags = []
    for key in zip(fast.tolist(), twice.tolist(), other_chain.tolist(), strict=True):
        if key not in flag_texts:
            flag_texts[key] = json.dumps(_flags(*key))
        flags.append(flag_texts[key])
    slack = rng.integers(*SLACK_SECONDS, size=n, endpoint=True)
    return Timing(
        paradata=paradata,
        quality_flags=flags,
        device_class=device_class,
        device_hash=device_hash,
        duration_seconds=seconds.sum(axis=1) + slack,
    )


def _repeat_devices(
    device_hash: np.ndarray, twice: np.ndarray, seed_of_row: np.ndarray, rng: np.random.Generator
) -> np.ndarray:
    """Give each repeating row the device of an earlier first-time row; return other_chain.

    A row is in another chain when any earlier row of its device sits under another seed
    link, as ``surveys.links.integrity`` judges it.
    """
    originals = np.flatnonzero(~twice)
    rows = np.flatnonzero(twice)
    # For each repeating row, a first-time row before it (row 0 always is one).
    below = np.searchsorted(originals, rows)
    origin = originals[(rng.random(rows.size) * below).astype(np.int64)]
    device_hash[rows] = device_hash[origin]
    other_chain = np.zeros(twice.size, dtype=bool)
    seeds_seen: dict[int, set[int]] = {}
    for row, first in zip(rows.tolist(), origin.tolist(), strict=True):
        seen = seeds_seen.setdefault(first, {int(seed_of_row[first])})
        other_chain[row] = bool(seen - {int(seed_of_row[row])})
        seen.add(int(seed_of_row[row]))
    return other_chain


def _flags(fast: bool, twice: bool, other_chain: bool) -> list[str]:
    flags = [limits.FLAG_TOO_FAST] if fast else []
    if twice:
        flags.append(limits.FLAG_SAME_DEVICE)
    if other_chain:
        flags.append(limits.FLAG_SAME_DEVICE_OTHER_CHAIN)
    return flags
