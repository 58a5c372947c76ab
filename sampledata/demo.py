"""Demo data: 505 respondents of the SCO 2025 study, recruited as a snowball forest.

Every respondent goes through the same services as a real one (``draft_start`` and
``response_submit``), arriving through a seed link or another respondent's personal link. The
marginal distributions match the shares the study published (a copy of its specification is
``tests/data/questionnaire.md``) to rounding: each single-choice question gets exact counts by
largest-remainder apportionment, each multiple-choice option its own count of ticks. Where the
study gives only a sum, the split is ours: "positive (both)" 56.2 % is 20.2 % strongly + 36.0 %
moderately positive; trust "definitely + rather yes" 85.6 % is 41.2 % + 44.4 %; the last three
threats share 17.5 %.

Each demo respondent also carries paradata a person would leave: seconds on each page (more
for pages with more questions, about seven minutes in all and never under four, so that no
demo respondent is flagged too fast), an occasional language switch, a device class and a
device hash of its own.
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

from sampledata.forest import forest_grow
from sampledata.study import MULTIPLE_CHOICE, STUDY_SHARES
from surveys.models import LinkEvent, Page, Response, SeedLink, Survey
from surveys.paradata.timing import LANGUAGE_SWITCHES, PAGE_SECONDS
from surveys.services import Attribution, draft_start, response_submit

DEMO_SIZE = 505


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
# Share of visitors who open a link and leave before consenting, per respondent: the funnel then
# reads opened > consented >= completed, as a real one does.
OPENED_ONLY = 0.3
# Seconds to answer the whole questionnaire: a median of 7 minutes, never under 4 (more than
# both the survey's floor and 40 % of any median these draws give) nor over 25.
COMPLETION_MEDIAN, COMPLETION_SIGMA = 420.0, 0.3
COMPLETION_RANGE = (240, 1500)
SWITCHED_LANGUAGE = 0.04
DEVICE_SHARES = {"phone": 0.62, "desktop": 0.30, "tablet": 0.08}


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


def _forest(rng: random.Random, size: int, limit: int | None) -> list[_Person]:
    """Return people in recruitment order: each recruiter before their recruits."""
    forest = forest_grow(
        n=size,
        roots_per_seed=[WAVE0_PER_SEED] * len(SEEDS),
        offspring=lambda _index, _wave: rng.choice(CHILDREN),
        extra_root=lambda _index: rng.randrange(len(SEEDS)),
        coupon_limit=limit,
    )
    return [
        _Person(index, wave, seed, None if parent < 0 else parent)
        for index, (parent, seed, wave) in enumerate(
            zip(forest.recruiter, forest.seed, forest.wave, strict=True)
        )
    ]


def _draw(rng: random.Random, left: Counter[str]) -> str:
    codes = [code for code, count in left.items() if count > 0]
    return rng.choices(codes, weights=[left[code] for code in codes])[0]


def _assign_countries(rng: random.Random, people: list[_Person]) -> None:
    left = Counter(apportion(STUDY_SHARES["country"], len(people)))
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
    for code, shares in STUDY_SHARES.items():
        if code in MULTIPLE_CHOICE or code == "country":
            continue
        codes = [c for c, n in apportion(shares, size).items() for _ in range(n)]
        rng.shuffle(codes)
        columns[code] = codes
    youth = [-0.5 * ages.index(age) + rng.gauss(0, 1) for age in columns["age_group"]]
    # Younger respondents know digital diplomacy better, and are the students.
    columns["awareness"] = _ordered(rng, apportion(STUDY_SHARES["awareness"], size), youth)
    columns["status"] = _ordered(
        rng, apportion(STUDY_SHARES["status"], size), [y + rng.gauss(0, 0.3) for y in youth]
    )
    for code in MULTIPLE_CHOICE:
        columns[code] = _ticks(rng, tick_counts(STUDY_SHARES[code], size), size)
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
    for question, shares in STUDY_SHARES.items():
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
    people = _forest(rng, size, limit)
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
    # Paradata draws come from a generator of their own: the answers stay as they were.
    timing = random.Random(seed + 2)
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
            client_hash=_hash(f"demo:{seed}:{person.index}"),
            device_hash=_hash(f"demo-device:{seed}:{person.index}"),
            device_class=timing.choices(list(DEVICE_SHARES), list(DEVICE_SHARES.values()))[0],
        )
        draft.answers = dict(person.answers)
        draft.other_texts = _other_texts(rng, person.answers)
        draft.page_index = len(pages) - 1
        draft.paradata.update(_paradata(timing, pages))
        draft.save(update_fields=["answers", "other_texts", "page_index", "paradata"])
        response, _created = response_submit(draft=draft, pages=pages)
        submitted = START + dt.timedelta(seconds=moments[person.index])
        response.submitted_at = submitted
        # Reading the consent page and moving between pages come on top of the page seconds.
        took = sum(draft.paradata[PAGE_SECONDS].values()) + timing.randint(20, 90)
        response.started_at = submitted - dt.timedelta(seconds=took)
        responses.append(response)
    Response.objects.bulk_update(responses, ["started_at", "submitted_at"], batch_size=500)
    _opened_events(survey=survey, responses=responses, rng=random.Random(seed + 1))
    return responses


def _hash(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def _paradata(rng: random.Random, pages: list[Page]) -> dict[str, Any]:
    """Return a person's page seconds (more for longer pages) and language switches."""
    low, high = COMPLETION_RANGE
    total = min(max(rng.lognormvariate(math.log(COMPLETION_MEDIAN), COMPLETION_SIGMA), low), high)
    weights = [len(page.questions.all()) * rng.uniform(0.7, 1.3) for page in pages]
    seconds = {
        str(page.position): max(10, round(total * weight / sum(weights)))
        for page, weight in zip(pages, weights, strict=True)
    }
    switches = 1 if rng.random() < SWITCHED_LANGUAGE else 0
    return {PAGE_SECONDS: seconds, LANGUAGE_SWITCHES: switches}


def _opened_events(*, survey: Survey, responses: list[Response], rng: random.Random) -> None:
    """Record the "opened" step the link pages would have recorded before each consent, and
    the visitors who opened a link and left; a generator of its own keeps the answers as
    they were."""
    moments = []
    for response in responses:
        assert response.started_at is not None
        opened = response.started_at - dt.timedelta(seconds=rng.randint(5, 120))
        moments.append((response.code_used, opened))
        if rng.random() < OPENED_ONLY:
            moments.append((response.code_used, opened + dt.timedelta(hours=rng.uniform(1, 72))))
    events = [
        LinkEvent(survey=survey, code=code, kind=LinkEvent.Kind.OPENED, created_at=moment)
        for code, moment in moments
    ]
    LinkEvent.objects.bulk_create(events, batch_size=500)
