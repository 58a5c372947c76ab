"""Answers in bulk: draws with the study's marginals, rendered as the JSON the ORM stores.

Answers are keyed by question code in question order: an option code, a list of option codes in
option order, or an integer; "other" texts only for ticked "other" options, and the network size
copied from the question with the network-size role.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import numpy as np

from sampledata.study import MULTIPLE_CHOICE, STUDY_SHARES
from surveys.models import QuestionKind, QuestionRole, Survey

SINGLE_SHARES: dict[str, dict[str, float]] = {
    code: shares for code, shares in STUDY_SHARES.items() if code not in MULTIPLE_CHOICE
}
# At a million respondents a few come from the other SCO members too, as in real recruitment.
SINGLE_SHARES["country"] = {
    **{code: share * 0.96 for code, share in STUDY_SHARES["country"].items()},
    "in": 1.5,
    "pk": 1.5,
    "other": 1.0,
}
MULTIPLE_SHARES: dict[str, dict[str, float]] = {
    code: STUDY_SHARES[code] for code in MULTIPLE_CHOICE
}
OTHER_TEXTS: tuple[str, ...] = ("Signal", "LinkedIn", "Mongolia", "Другое", "Басқа", "Reddit")
NETWORK_MEDIAN, NETWORK_SIGMA = 30.0, 1.1


def _probabilities(shares: dict[str, float], codes: list[str]) -> np.ndarray:
    weights = np.array([shares.get(code, 0.0) for code in codes], dtype=float)
    if weights.sum() <= 0:
        weights = np.ones(len(codes))
    return weights / weights.sum()


@dataclass(frozen=True)
class _Question:
    code: str
    kind: str
    options: list[str]
    other: str | None
    low: int
    high: int
    role: str


def _questions(survey: Survey) -> list[_Question]:
    questions = []
    for page in survey.ordered_pages():
        for question in page.questions.all():
            options = list(question.options.all())
            other = next((o.code for o in options if o.is_other), None)
            questions.append(
                _Question(
                    code=question.code,
                    kind=question.kind,
                    options=[o.code for o in options],
                    other=other,
                    low=question.min_value if question.min_value is not None else 0,
                    high=question.max_value if question.max_value is not None else 5000,
                    role=question.role,
                )
            )
    return questions


class AnswerMaker:
    """Draw answers with the study's marginals and render them as the JSON the ORM stores."""

    def __init__(self, survey: Survey) -> None:
        self.survey = survey
        self.questions = _questions(survey)
        self._multiple_cache: dict[tuple[str, int], str] = {}

    def _single_fragments(self, question: _Question) -> np.ndarray:
        return np.array(
            [f"{json.dumps(question.code)}: {json.dumps(code)}" for code in question.options],
            dtype=object,
        )

    def _multiple_fragment(self, question: _Question, mask: int) -> str:
        key = (question.code, mask)
        fragment = self._multiple_cache.get(key)
        if fragment is None:
            chosen = [code for bit, code in enumerate(question.options) if mask >> bit & 1]
            fragment = f"{json.dumps(question.code)}: {json.dumps(chosen)}"
            self._multiple_cache[key] = fragment
        return fragment

    def draw(self, n: int, rng: np.random.Generator) -> tuple[list[str], list[str], np.ndarray]:
        """Return n answers and "other" texts as JSON text, and the network sizes."""
        columns: list[Any] = []
        others: list[tuple[str, np.ndarray]] = []
        network = np.full(n, -1, dtype=np.int64)
        for question in self.questions:
            if question.kind == QuestionKind.SINGLE:
                p = _probabilities(SINGLE_SHARES.get(question.code, {}), question.options)
                picked = rng.choice(len(question.options), size=n, p=p)
                columns.append(self._single_fragments(question)[picked])
                if question.other is not None:
                    others.append((question.code, picked == question.options.index(question.other)))
            elif question.kind == QuestionKind.MULTIPLE:
                rates = _multiple_rates(MULTIPLE_SHARES.get(question.code, {}), question.options)
                p = rates / rates.sum()
                ticked = rng.random((n, len(rates))) < rates
                # A required question: whoever ticked nothing ticks one, by relative share.
                empty = ~ticked.any(axis=1)
                ticked[empty, rng.choice(len(p), size=int(empty.sum()), p=p)] = True
                masks = ticked.astype(np.int64) @ (1 << np.arange(len(p), dtype=np.int64))
                columns.append(
                    np.array([self._multiple_fragment(question, m) for m in masks.tolist()])
                )
                if question.other is not None:
                    others.append(
                        (question.code, ticked[:, question.options.index(question.other)])
                    )
            elif question.kind == QuestionKind.INTEGER:
                values = np.rint(rng.lognormal(np.log(NETWORK_MEDIAN), NETWORK_SIGMA, size=n))
                values = np.clip(values, question.low, question.high).astype(np.int64)
                if question.role == QuestionRole.NETWORK_SIZE:
                    network = values
                columns.append(
                    np.array([f"{json.dumps(question.code)}: {v}" for v in values.tolist()])
                )
            else:
                words = np.array(
                    [f"{json.dumps(question.code)}: {json.dumps(t)}" for t in OTHER_TEXTS]
                )
                columns.append(words[rng.integers(0, len(OTHER_TEXTS), size=n)])
        answers = ["{" + ", ".join(parts) + "}" for parts in zip(*columns, strict=True)]
        other_texts = self._other_texts(n, others, rng)
        return answers, other_texts, network

    def _other_texts(
        self, n: int, others: list[tuple[str, np.ndarray]], rng: np.random.Generator
    ) -> list[str]:
        texts = [[] for _ in range(n)]  # type: list[list[str]]
        for code, ticked in others:
            picks = rng.integers(0, len(OTHER_TEXTS), size=n)
            for row in np.flatnonzero(ticked).tolist():
                texts[row].append(
                    f"{json.dumps(code)}: {json.dumps(OTHER_TEXTS[picks[row]], ensure_ascii=False)}"
                )
        return ["{" + ", ".join(parts) + "}" for parts in texts]


def _multiple_rates(shares: dict[str, float], codes: list[str]) -> np.ndarray:
    return np.array([shares.get(code, 10.0) / 100.0 for code in codes], dtype=float)
