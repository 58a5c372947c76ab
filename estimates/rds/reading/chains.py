"""A survey's chained responses as arrays, as both readings return them."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["Chains", "seed_label"]


@dataclass(frozen=True)
class Chains:
    """The chained responses as arrays, row i describing the i-th in submission order."""

    ids: np.ndarray  # int64
    recruiters: np.ndarray  # int64, -1 without a recruiter
    degrees: np.ndarray  # float, NaN when no network size was given
    unflagged: np.ndarray  # bool
    times: np.ndarray  # submission time in seconds since the epoch
    # "#id · seed link label" of every response without a recruiter, by str(id).
    seed_labels: dict[str, str]
    # Per question code: (ticked n x k, answered n), as AnswerMatrices fills them.
    answers: dict[str, tuple[np.ndarray, np.ndarray]]

    def head(self, rows: int) -> Chains:
        """Return the first ``rows`` rows (responses deleted after the count leave fewer)."""
        if rows == len(self.ids):
            return self
        return Chains(
            ids=self.ids[:rows],
            recruiters=self.recruiters[:rows],
            degrees=self.degrees[:rows],
            unflagged=self.unflagged[:rows],
            times=self.times[:rows],
            seed_labels=self.seed_labels,
            answers={code: (t[:rows], a[:rows]) for code, (t, a) in self.answers.items()},
        )


def seed_label(pk: int, label: str | None) -> str:
    """Return how the estimates name a seed: its id and its seed link's label."""
    return f"#{pk} · {label}" if label else f"#{pk}"
