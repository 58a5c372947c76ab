"""Demo data: 505 respondents of the SCO 2025 study, recruited as a snowball forest.

Every respondent goes through the same services as a real one (``draft_start`` and
``response_submit``), arriving through a seed link or another respondent's personal link.
The marginal distributions match the shares the study published (``shared/questionnaire.md``)
to rounding: each single-choice question gets exact counts by largest-remainder apportionment,
each multiple-choice option its own count of ticks. Where the study gives only a sum, the split
is ours: "positive (both)" 56.2 % is 20.2 % strongly + 36.0 % moderately positive; trust
"definitely + rather yes" 85.6 % is 41.2 % + 44.4 %; the last three threats share 17.5 %.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
import random
from collections import Counter
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from surveys.models import Response, SeedLink, Survey
from surveys.services import Attribution, draft_start, response_submit

DEMO_SIZE = 505

# Published shares (percent of respondents). Multiple choice: each option on its own.
DEMO_SHARES: dict[str, dict[str, float]] = {
    "awareness": {"yes_fully": 48.5, "partially": 27.7, "no": 17.8, "hard_to_say": 5.9},
    "impact": {
        "strongly_positive": 20.2,
        "moderately_positive": 36.0,
        "neutral": 21.6,
        "moderately_negative": 2.8,
        "strongly_negative": 1.6,
        "hard_to_say": 17.8,
    },
    "initiatives": {
        "very_effective": 21.8,
        "fairly_effective": 22.6,
        "moderately_effective": 20.0,
        "low_effective": 5.9,
        "ineffective": 1.4,
        "not_familiar": 28.3,
    },
    "platforms": {
        "telegram": 68.7,
        "instagram": 46.5,
        "youtube": 44.2,
        "tiktok": 30.7,
        "facebook": 21.4,
        "whatsapp": 20.4,
        "x": 16.2,
        "vk": 15.4,
        "wechat": 12.3,
        "odnoklassniki": 6.7,
        "dzen": 5.0,
        "rumble": 2.0,
        "bluesky": 1.8,
        "other": 6.3,
    },
    "trust": {
        "definitely_yes": 41.2,
        "rather_yes": 44.4,
        "rather_no": 6.1,
        "definitely_no": 2.2,
        "hard_to_say": 6.1,
    },
    "threats": {
        "cyberattacks": 36.4,
        "disinformation": 30.1,
        "data_loss": 16.0,
        "opaque_sources": 8.1,
        "foreign_interference": 7.2,
        "other": 2.2,
    },
    "conflict_prevention": {
        "fast_exchange": 62.2,
        "explain_positions": 47.3,
        "build_trust": 44.6,
        "transparency": 40.2,
        "no_role": 4.4,
        "hard_to_say": 5.1,
        "other": 1.6,
    },
    # The study: Kazakhstan, Russia and Belarus most represented; China within the error.
    "country": {
        "kz": 45.0,
        "ru": 21.0,
        "by": 12.0,
        "uz": 7.1,
        "kg": 5.9,
        "tj": 4.0,
        "ir": 3.0,
        "cn": 2.0,
    },
    "age_group": {"under_30": 79.6, "30_39": 11.0, "40_49": 5.0, "50_59": 3.0, "60_plus": 1.4},
    "gender": {"female": 53.5, "male": 46.5},
    "status": {
        "student": 59.8,
        "employed": 27.1,
        "self_employed": 5.1,
        "not_working": 4.4,
        "other": 3.6,
    },
    "sphere": {
        "public_administration": 24.8,
        "education": 17.0,
        "science": 15.2,
        "it": 12.3,
        "international": 8.9,
        "business": 9.7,
        "media": 6.2,
        "other": 5.9,
    },
}
MULTIPLE = ("platforms", "conflict_prevention")

OTHER_TEXTS: dict[str, list[str]] = {
    "platforms": ["Signal", "LinkedIn", "Discord", "Threads", "Ұлттық платформалар", "Zoom"],
    "threats": ["Deepfake", "Жасанды интеллект жасаған фейктер", "Цифровое неравенство"],
    "status": ["Магистрант", "Докторант", "Волонтёр"],
    "sphere": ["Медицина", "Құқық", "Некоммерческий сектор", "Мәдениет"],
    "conflict_prevention": ["Мәдени алмасу", "Образовательные обмены"],
}

# Seed links: (country of the seed's circle, label).
SEEDS: tuple[tuple[str, str], ...] = (
    ("kz", "Astana — university debate club"),
    ("kz", "Almaty — young diplomats school"),
    ("kz", "Shymkent — youth council"),
    ("ru", "Moscow — international relations students"),
    ("ru", "Novosibirsk — SCO youth forum alumni"),
    ("by", "Minsk — international law students"),
    ("by", "Grodno — youth parliament"),
    ("uz", "Tashkent — diplomacy university"),
    ("kg", "Bishkek — young researchers"),
    ("tj", "Dushanbe — youth initiative"),
)
WAVE0_PER_SEED = 2
CHILDREN = (0, 1, 1, 1, 2, 2, 2, 2, 3, 3)  # recruits per respondent, drawn at random
SAME_COUNTRY = 0.85
START = dt.datetime(2025, 3, 3, 8, 0, tzinfo=dt.UTC)
DAYS = 60


def apportion(shares: dict[str, float], total: int) -> dict[str, int]:
    """Return whole counts summing to total, by the largest-remainder method."""
    weight = sum(shares.values())
    quotas = {code: total * share / weight for code, share in shares.items()}
    counts = {code: math.floor(quota) for code, quota in quotas.items()}
    left = total - sum(counts.values())
    for code in sorted(quotas, key=lambda c: quotas[c] - counts[c], reverse=True)[:left]:
        counts[code] += 1
    return counts


def tick_counts(shares: dict[str, float], total: int) -> dict[str, int]:
    """Return each multiple-choice option's number of ticks."""
    return {code: round(total * share / 100) for code, share in shares.items()}


@dataclass
class _Person:
    index: int
    wave: int
    seed: int
    parent: int | None
    country: str = ""
    answers: dict[str, Any] | None = None


def _forest(rng: random.Random, size: int, most: int) -> list[_Person]:
    """Return people in recruitment order: each recruiter before their recruits."""
    people: list[_Person] = []
    for seed in range(len(SEEDS)):
        for _ in range(WAVE0_PER_SEED):
            people.append(_Person(len(people), 0, seed, None))
    cursor = 0
    while len(people) < size:
        if cursor == len(people):  # every chain ran dry: open one more wave-0 respondent
            people.append(_Person(len(people), 0, rng.randrange(len(SEEDS)), None))
        recruiter = people[cursor]
        for _ in range(min(rng.choice(CHILDREN), most)):
            if len(people) == size:
                break
            people.append(_Person(len(people), recruiter.wave + 1, recruiter.seed, cursor))
        cursor += 1
    return people


def _draw(rng: random.Random, left: Counter[str]) -> str:
    codes = [code for code, count in left.items() if count > 0]
    return rng.choices(codes, weights=[left[code] for code in codes])[0]


def _assign_countries(rng: random.Random, people: list[_Person]) -> None:
    left = Counter(apportion(DEMO_SHARES["country"], len(people)))
    for person in people:
        wanted = SEEDS[person.seed][0] if person.parent is None else people[person.parent].country
        if left[wanted] > 0 and rng.random() < SAME_COUNTRY:
            person.country = wanted
        else:
            person.country = _draw(rng, left)
        left[person.country] -= 1


def _ordered(rng: random.Random, counts: dict[str, int], scores: list[float]) -> list[str]:
    """Return one code per person: the first codes go to the highest scores."""
    codes = [code for code, count in counts.items() for _ in range(count)]
    ranking = sorted(range(len(scores)), key=lambda i: scores[i], reverse=True)
    result = [""] * len(scores)
    for position, person in enumerate(ranking):
        result[person] = codes[position]
    return result


def _ticks(rng: random.Random, counts: dict[str, int], size: int) -> list[list[str]]:
    chosen: list[set[str]] = [set() for _ in range(size)]
    for code, count in counts.items():
        for person in rng.sample(range(size), count):
            chosen[person].add(code)
    # Everyone ticks at least one option: move a tick from someone who has several.
    for person in range(size):
        if chosen[person]:
            continue
        donors = [p for p in range(size) if len(chosen[p]) > 1]
        donor = rng.choice(donors)
        code = rng.choice(sorted(chosen[donor]))
        chosen[donor].remove(code)
        chosen[person].add(code)
    order = list(counts)
    return [[code for code in order if code in ticked] for ticked in chosen]


def _answers(rng: random.Random, people: list[_Person]) -> None:
    size = len(people)
    columns: dict[str, list[Any]] = {}
    ages = ["under_30", "30_39", "40_49", "50_59", "60_plus"]
    for code, shares in DEMO_SHARES.items():
        if code in MULTIPLE or code == "country":
            continue
        codes = [c for c, n in apportion(shares, size).items() for _ in range(n)]
        rng.shuffle(codes)
        columns[code] = codes
    youth = [-0.5 * ages.index(age) + rng.gauss(0, 1) for age in columns["age_group"]]
    # Younger respondents know digital diplomacy better, and are the students.
    columns["awareness"] = _ordered(rng, apportion(DEMO_SHARES["awareness"], size), youth)
    columns["status"] = _ordered(
        rng, apportion(DEMO_SHARES["status"], size), [y + rng.gauss(0, 0.3) for y in youth]
    )
    for code in MULTIPLE:
        columns[code] = _ticks(rng, tick_counts(DEMO_SHARES[code], size), size)
    for person in people:
        answers = {code: values[person.index] for code, values in columns.items()}
        answers["country"] = person.country
        degree = math.exp(rng.gauss(math.log(20), 0.9))
        answers["network_size"] = max(1, min(5000, round(degree)))
        person.answers = answers


def _other_texts(rng: random.Random, answers: dict[str, Any]) -> dict[str, str]:
    texts = {}
    for code, choices in OTHER_TEXTS.items():
        value = answers.get(code)
        if value == "other" or (isinstance(value, list) and "other" in value):
            texts[code] = rng.choice(choices)
    return texts


def _language(rng: random.Random, country: str) -> str:
    if country == "kz":
        return rng.choices(["kk", "ru", "en"], weights=[45, 45, 10])[0]
    if country in {"ir", "cn"}:
        return "en"
    if country in {"uz", "tj"}:
        return rng.choices(["ru", "en"], weights=[70, 30])[0]
    return rng.choices(["ru", "en"], weights=[92, 8])[0]


def demo_check(*, survey: Survey) -> None:
    """Refuse a survey whose questions are not the SCO study's."""
    codes = {
        q.code: {o.code for o in q.options.all()}
        for q in survey.questions.prefetch_related("options")
    }
    for question, shares in DEMO_SHARES.items():
        if question not in codes or not set(shares) <= codes[question]:
            raise ValidationError(
                f"The survey {survey.slug} does not have the SCO 2025 question {question}.",
                code="not_sco",
            )


@transaction.atomic
def demo_seed(*, survey: Survey, seed: int = 2025, size: int = DEMO_SIZE) -> list[Response]:
    """Create the demo respondents through the submission services; return their responses."""
    demo_check(survey=survey)
    rng = random.Random(seed)
    limit = survey.coupon_limit or None
    people = _forest(rng, size, limit or max(CHILDREN))
    _assign_countries(rng, people)
    _answers(rng, people)
    pages = survey.ordered_pages()
    seeds = [
        SeedLink.objects.create(
            survey=survey, label=label, note="demo", coupon_limit=None, created_by=None
        )
        for _country, label in SEEDS
    ]
    span = DAYS * 24 * 60 * 60
    moments = sorted(rng.uniform(0, span) for _ in people)
    responses: list[Response] = []
    recruits: Counter[int] = Counter()
    for person in people:
        if person.parent is None:
            link = seeds[person.seed]
            attribution = Attribution(code=link.code, seed_link=link)
        else:
            recruiter = responses[person.parent]
            if limit is not None and recruits[person.parent] >= limit:
                raise AssertionError("the demo forest exceeds the coupon limit")
            recruits[person.parent] += 1
            attribution = Attribution(code=recruiter.referral_code, recruiter=recruiter)
        assert person.answers is not None
        draft = draft_start(
            survey=survey,
            language=_language(rng, person.country),
            attribution=attribution,
            client_hash=hashlib.sha256(f"demo:{seed}:{person.index}".encode()).hexdigest()[:32],
        )
        draft.answers = dict(person.answers)
        draft.other_texts = _other_texts(rng, person.answers)
        draft.page_index = len(pages) - 1
        draft.save(update_fields=["answers", "other_texts", "page_index"])
        response, _created = response_submit(draft=draft, pages=pages)
        submitted = START + dt.timedelta(seconds=moments[person.index])
        response.submitted_at = submitted
        response.started_at = submitted - dt.timedelta(seconds=rng.randint(150, 900))
        responses.append(response)
    Response.objects.bulk_update(responses, ["started_at", "submitted_at"], batch_size=500)
    return responses
