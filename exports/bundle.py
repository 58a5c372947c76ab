"""The reproducible analysis bundle: data, codebook, SPSS/Stata files, an R script and a README.

One zip an analyst hands to a co-author or a journal: the recruitment in the layout of R's
``RDS`` package plus ``time``, the codebook in every language, the labelled ``.sav`` and ``.dta``,
``analysis.R`` that recomputes the dashboard's RDS-II and SS shares of every single-choice
question with the platform's settings, the platform's own figures to compare them with, and a
README with the settings and a pre-filled STROBE-RDS checklist. A survey with population margins
also gets them (``data/margins.csv``), its post-stratified shares, and R code that post-stratifies
or rakes with R's ``survey`` package.
"""

from __future__ import annotations

import datetime as dt
import re
import tempfile
import tomllib
import zipfile
from collections import Counter
from collections.abc import Callable, Iterator
from functools import cache
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.db.models import Max, Min, Q
from django.template import Context, Engine
from django.utils import translation

from estimates.contracts import OptionEstimates, bounds
from estimates.margins.estimates import Poststratification, as_rows, poststratification
from estimates.models import EstimationSettings, PopulationMargin, RDSQuestion
from estimates.rds.refresh import BOOTSTRAP_SEED
from estimates.rds.ss_estimates import SS_SEED, ss_sample_count
from exports.formats import export_write
from exports.options import ExportOptions
from exports.rows.codebook import codebook_rows
from exports.rows.rds_csv import FIXED_COLUMNS, recruitment_rows
from incentives.selectors import incentives_report
from membership.models import Membership
from surveys.csv_safe import csv_lines
from surveys.http import file_stem
from surveys.logic.words import condition_in_words
from surveys.models import (
    LinkEvent,
    Question,
    QuestionKind,
    QuestionRole,
    Response,
    Review,
    SeedLink,
    Survey,
)
from surveys.quality.design_log import design_changes

TEMPLATES = Path(__file__).resolve().parent / "bundle_templates"
TIME = "time"
DATA = "data/rds.csv"
CODEBOOK = "data/codebook.csv"
ESTIMATES = "data/platform_estimates.csv"
MARGINS = "data/margins.csv"
MARGIN_COLUMNS = ("question", "option", "share")
POSTSTRAT = "data/platform_poststrat.csv"
SCRIPT = "analysis.R"
README = "README.md"
# ``time`` follows the fixed columns, before the questions, as in the layout.
TIME_POSITION = len(FIXED_COLUMNS)
# The bundle's columns of an option's stored estimates (estimates.contracts).
ESTIMATE_FIELDS: tuple[tuple[str, Callable[[OptionEstimates], float | None]], ...] = (
    ("rds2", lambda o: o.rds2.share),
    ("rds2_low", lambda o: o.rds2.low),
    ("rds2_high", lambda o: o.rds2.high),
    ("ss", lambda o: o.ss.share),
    ("ss_low", lambda o: o.ss.low),
    ("ss_high", lambda o: o.ss.high),
    # R's default intervals, which RDS.*.estimates print: analysis.R compares them.
    ("rds2_el_low", lambda o: bounds(o.rds2.el)[0]),
    ("rds2_el_high", lambda o: bounds(o.rds2.el)[1]),
    ("rds1", lambda o: o.rds1.share),
    ("rds1_el_low", lambda o: bounds(o.rds1.el)[0]),
    ("rds1_el_high", lambda o: bounds(o.rds1.el)[1]),
    ("ss_el_low", lambda o: bounds(o.ss.el)[0]),
    ("ss_el_high", lambda o: bounds(o.ss.el)[1]),
    ("hcg", lambda o: o.hcg.share),
    ("hcg_low", lambda o: o.hcg.low),
    ("hcg_high", lambda o: o.hcg.high),
)


@cache
def _engine() -> Engine:
    # Its own engine: the R script and the Markdown must not be HTML-escaped.
    return Engine(dirs=[str(TEMPLATES)], autoescape=False)


def platform_version() -> str:
    """Return the platform's version as written in pyproject.toml."""
    with open(Path(settings.BASE_DIR) / "pyproject.toml", "rb") as source:
        return str(tomllib.load(source)["project"]["version"])


def _iso(moment: dt.datetime | None) -> str:
    return "" if moment is None else moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def bundle_data_rows(*, survey: Survey) -> Iterator[list[Any]]:
    """Yield the recruitment CSV's rows with ``time`` (submission, UTC) after the fixed columns."""
    # Read up front: the recruitment rows stream from a query of their own, and a response
    # submitted between the two reads gets an empty time rather than a shifted one.
    times = dict(Response.objects.filter(survey=survey).values_list("id", "submitted_at"))
    rows = recruitment_rows(survey=survey)
    header = next(rows)
    yield [*header[:TIME_POSITION], TIME, *header[TIME_POSITION:]]
    for row in rows:
        moment = _iso(times.get(row[0]))
        yield [*row[:TIME_POSITION], moment, *row[TIME_POSITION:]]


def single_choice_codes(*, survey: Survey) -> list[str]:
    """Return the codes of the single-choice questions, in questionnaire order."""
    return list(
        Question.objects.filter(survey=survey, kind=QuestionKind.SINGLE)
        .order_by("page__position", "position")
        .values_list("code", flat=True)
    )


def _estimate_rows(survey: Survey) -> Iterator[list[Any]]:
    """Yield the platform's stored RDS-II and SS shares of the single-choice questions."""
    yield ["question", "option", *(column for column, _cell in ESTIMATE_FIELDS)]
    singles = single_choice_codes(survey=survey)
    stored = {
        row.question: row.record()
        for row in RDSQuestion.objects.filter(
            estimate_set__survey=survey, question__in=singles
        ).only("question", "version", "shares")
    }
    for code in singles:
        record = stored.get(code)
        for option, estimates in record.options.items() if record else ():
            cells = (cell(estimates) for _column, cell in ESTIMATE_FIELDS)
            yield [code, option, *("" if value is None else value for value in cells)]


def _margin_rows(survey: Survey) -> list[list[Any]]:
    """Return the survey's population margins as CSV rows, header first."""
    stored = PopulationMargin.objects.filter(survey=survey).order_by("question", "option")
    return [["question", "option", "share"], *map(list, stored.values_list(*MARGIN_COLUMNS))]


def _poststrat_rows(result: Poststratification) -> Iterator[list[Any]]:
    """Yield the platform's post-stratified shares with their intervals."""
    yield ["question", "option", "poststrat", "poststrat_low", "poststrat_high"]
    for question, option, estimate in as_rows(result):
        cells = (estimate.share, estimate.low, estimate.high)
        yield [question, option, *("" if c is None else c for c in cells)]


def _poststrat_columns(header: list[Any], result: Poststratification) -> list[dict[str, Any]]:
    """Return each estimated question with its columns in the data file, for the R script."""
    columns = []
    for code in result.estimates:
        mine = [c for c in header if c == code or str(c).startswith(f"{code}__")]
        if mine:
            columns.append({"code": code, "columns": mine})
    return columns


# Characters that Markdown reads as markup (emphasis, links, HTML, headings, tables, code).
MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>|~])")


def _markdown(text: str) -> str:
    """Return text as literal Markdown on one line, fit for a table cell."""
    return MARKDOWN_SPECIAL.sub(r"\\\1", " ".join(str(text).split()))


def _seed_links(survey: Survey) -> list[dict[str, Any]]:
    links = SeedLink.objects.filter(survey=survey).order_by("created_at", "pk")
    return [
        {
            "label": _markdown(link.label),
            "limit": "unlimited" if link.coupon_limit is None else link.coupon_limit,
            "active": "yes" if link.is_active and not link.is_expired() else "no",
            "created": _iso(link.created_at),
        }
        for link in links
    ]


def _flags(survey: Survey) -> list[tuple[str, int]]:
    counts: Counter[str] = Counter()
    flagged = Response.objects.filter(survey=survey).filter(~Q(quality_flags=[]))
    for flags in flagged.values_list("quality_flags", flat=True).iterator(chunk_size=2000):
        counts.update(flags or [])
    return sorted(counts.items())


def _roles(survey: Survey, usernames: set[str]) -> dict[str, str]:
    """Return each staff member's roles in the survey, the form a README for co-authors names."""
    roles: dict[str, list[str]] = {}
    members = Membership.objects.filter(survey=survey, user__username__in=usernames)
    for username, role in members.order_by("role").values_list("user__username", "role"):
        roles.setdefault(username, []).append(role)
    admins = User.objects.filter(username__in=usernames, is_superuser=True)
    for username in admins.values_list("username", flat=True):
        roles.setdefault(username, []).append("administrator")
    return {username: " and ".join(roles.get(username, ["staff"])) for username in usernames}


def _design_changes(survey: Survey) -> list[dict[str, str]]:
    """Return the design changes as README table cells, naming roles, never usernames."""
    # The README is written in English, like the R script beside it.
    with translation.override("en"):
        changes = design_changes(survey=survey)
    roles = _roles(survey, {change.changed_by for change in changes if change.changed_by})
    return [
        {
            "when": change.changed_at.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M"),
            "what": _markdown(change.what_label),
            "seed_link": _markdown(change.seed_link) or "—",
            "old": _markdown(change.old),
            "new": _markdown(change.new),
            "who": roles.get(change.changed_by, "platform"),
        }
        for change in changes
    ]


def _reviews(survey: Survey) -> dict[str, int]:
    """Return how many flagged responses organizers accepted and excluded."""
    decided = Response.objects.filter(survey=survey).exclude(review=Review.NONE)
    counts = Counter(decided.values_list("review", flat=True))
    return {"accepted": counts[Review.ACCEPTED], "excluded": counts[Review.EXCLUDED]}


def _recruitment(data: list[list[Any]]) -> dict[str, Any]:
    """Return the numbers of respondents, seeds and recruits per wave from the data rows."""
    waves = Counter(int(row[3]) for row in data[1:])
    return {
        "respondents": len(data) - 1,
        "seeds": waves.get(0, 0),
        "waves": sorted(waves.items()),
    }


def _screening(survey: Survey) -> dict[str, Any]:
    """Return the eligibility rule, in words, and how many visits it turned away."""
    if not survey.eligibility.strip():
        return {}
    questions = {question.code: question for question in survey.questions.all()}
    events = Counter(
        LinkEvent.objects.filter(
            survey=survey, kind__in=[LinkEvent.Kind.CONSENTED, LinkEvent.Kind.SCREENED_OUT]
        ).values_list("kind", flat=True)
    )
    return {
        # Shown as code, where Markdown escapes would be read literally.
        "rule": " ".join(survey.eligibility.split()).replace("`", "'"),
        "words": _markdown(
            condition_in_words(survey.eligibility, questions=questions, language="en")
        ),
        "screened_out": events[LinkEvent.Kind.SCREENED_OUT],
        "consented": events[LinkEvent.Kind.CONSENTED],
    }


def bundle_context(*, survey: Survey, data: list[list[Any]]) -> dict[str, Any]:
    """Return what the R script and the README say about the survey and its settings."""
    responses = Response.objects.filter(survey=survey)
    dates = responses.aggregate(first=Min("submitted_at"), last=Max("submitted_at"))
    network = Question.objects.filter(survey=survey, role=QuestionRole.NETWORK_SIZE).first()
    estimation = EstimationSettings.of(survey)
    sizes = estimation.population_sizes()
    population = estimation.population_size
    return {
        "survey": survey,
        "title": _markdown(survey.title_en),
        "stem": file_stem(survey=survey),
        "version": platform_version(),
        "generated": _iso(dt.datetime.now(dt.UTC)),
        "population_size": population,
        "population_low": sizes[0] if sizes else None,
        "population_high": sizes[-1] if sizes else None,
        "coupon_limit": survey.coupon_limit or "unlimited",
        "max_coupons": survey.coupon_limit or "NA",
        "seed_links": _seed_links(survey),
        "first": _iso(dates["first"]),
        "last": _iso(dates["last"]),
        "withdrawn": responses.filter(withdrawn_at__isnull=False).count(),
        "flags": _flags(survey),
        "reviews": _reviews(survey),
        "design_changes": _design_changes(survey),
        "incentives": incentives_report(survey=survey),
        "network_question": {
            language: _markdown(getattr(network, f"text_{language}"))
            for language, _name in settings.LANGUAGES
        }
        if network
        else {},
        "questions": single_choice_codes(survey=survey),
        "replicates": settings.RDS_BOOTSTRAP_REPLICATES,
        "bootstrap_seed": BOOTSTRAP_SEED,
        # As many as the estimates simulated for this sample size (ss_sample_count).
        "ss_samples": ss_sample_count(respondents=responses.filter(wave__isnull=False).count()),
        "ss_seed": SS_SEED,
        "interval_method": estimation.get_interval_method_display(),
        "files": {
            "data": DATA,
            "codebook": CODEBOOK,
            "estimates": ESTIMATES,
            "margins": MARGINS,
            "poststrat": POSTSTRAT,
        },
        "recruitment": _recruitment(data),
        "screening": _screening(survey),
    }


def _csv_bytes(rows: Iterator[list[Any]], *, bom: bool) -> bytes:
    return "".join(csv_lines(rows, bom=bom)).encode()


def bundle_write(*, survey: Survey, path: Path, labels: str = "en") -> None:
    """Write the survey's analysis bundle as a zip file at path."""
    data = list(bundle_data_rows(survey=survey))
    margins = _margin_rows(survey)
    result = poststratification(survey=survey)
    # Text, not HTML: a Context escapes for HTML unless told otherwise, whatever the engine says.
    context = Context(
        {
            **bundle_context(survey=survey, data=data),
            "margins": [dict(zip(MARGIN_COLUMNS, row, strict=True)) for row in margins[1:]],
            "margin_questions": sorted({row[0] for row in margins[1:]}),
            "poststrat": result,
            "poststrat_columns": _poststrat_columns(data[0], result),
        },
        autoescape=False,
    )
    codebook = codebook_rows(survey, ExportOptions(kind="codebook"), None)
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as bundle:
        # R reads UTF-8 without a byte order mark; the codebook is for spreadsheets, so keeps it.
        bundle.writestr(DATA, _csv_bytes(iter(data), bom=False))
        bundle.writestr(CODEBOOK, _csv_bytes(codebook, bom=True))
        bundle.writestr(ESTIMATES, _csv_bytes(_estimate_rows(survey), bom=False))
        if len(margins) > 1:  # only a survey with margins is post-stratified
            bundle.writestr(MARGINS, _csv_bytes(iter(margins), bom=False))
            bundle.writestr(POSTSTRAT, _csv_bytes(_poststrat_rows(result), bom=False))
        with tempfile.TemporaryDirectory() as folder:
            for extension in ("sav", "dta"):
                written = Path(folder) / f"responses.{extension}"
                options = ExportOptions(kind="responses", labels=labels, format=extension)
                export_write(survey=survey, options=options, path=written)
                bundle.write(written, f"data/{file_stem(survey=survey)}.{extension}")
        # English numbers and words whatever language the request or command runs in: R reads
        # "0.5", not "0,5", and the README is written in English.
        with translation.override("en"):
            for name in (SCRIPT, README):
                bundle.writestr(name, _engine().get_template(name).render(context))
