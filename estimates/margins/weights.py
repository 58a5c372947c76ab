"""Every respondent's weights: post-stratified (or raked), RDS-II and Gile's SS.

Computed on request from the stored responses; nothing is written. The weights are those of the
whole survey: an export filtered to a subset shows the subset's rows with their whole-survey
weights.

* ``weight_poststrat``: equal starting weights raked to the survey's population margins
  (``estimates.margins.raking``), mean 1 over the respondents post-stratified; empty for a
  respondent who left a margin question unanswered, and for everyone without margins.
* ``weight_rds2``: 1 / network size (``estimates.rds.weights.rds2_weights``) over the recruitment
  forest that the RDS estimates use (``estimates.rds.refresh``), scaled as R's ``RDS`` does: the
  mean network size of the respondents who were not withdrawn over the respondent's.
* ``weight_ss``: Gile's SS weights at the survey's population size N with the estimates'
  settings and seed (``estimates.rds.ss``), scaled to sum to N over the respondents who were not
  withdrawn; empty without N or above ``RDS_SS_MAX_RESPONDENTS``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
from django.db import connection
from django.db.models import (
    BigIntegerField,
    BooleanField,
    Count,
    ExpressionWrapper,
    Max,
    Q,
    Sum,
    Window,
)
from django.db.models.functions import Coalesce

from estimates.margins.messages import margins_message
from estimates.margins.raking import MarginsError, rake
from estimates.margins.sample import MarginCells, margin_cells, survey_margins
from estimates.models import EstimationSettings
from estimates.rds.refresh import NO_CHAINS, NO_DEGREES
from estimates.rds.sample import RDSError, RDSSample, impute_degrees, rds_sample
from estimates.rds.ss import ss_weights
from estimates.rds.ss_estimates import SS_SEED, ss_sample_count, ss_unavailable
from surveys.models import Response, Survey

WEIGHT_COLUMNS = ("weight_poststrat", "weight_rds2", "weight_ss")
NO_MARGINS = "No population margins were entered for this survey."
# Rows of the recruitment forest read per fetch.
CHAINS_CHUNK = 20_000
# Up to this every partial sum of whole network sizes is a whole float64: numpy's pairwise sum
# of the degrees is then the exact sum, whatever the order of the rows.
EXACT_SUM = 2**53


@dataclass(frozen=True)
class WeightTable:
    """Each kept respondent's three weights (NaN where there is none), by ascending response id."""

    ids: np.ndarray
    weights: np.ndarray  # len(ids) x 3, in WEIGHT_COLUMNS order
    # Why a weight set is missing, by column name; absent when it is there. The post-stratified
    # reason is translated already, the RDS ones are msgids to translate when shown.
    unavailable: dict[str, str] = field(default_factory=dict)
    # The post-stratified respondents and their cells, when the margins could be met.
    cells: MarginCells | None = None

    def column(self, name: str) -> np.ndarray:
        """Return one weight set over ``ids``."""
        return self.weights[:, WEIGHT_COLUMNS.index(name)]


def poststrat_weights(*, survey: Survey) -> tuple[MarginCells, np.ndarray]:
    """Return the post-stratified respondents and their raked weights; MarginsError if none."""
    margins = survey_margins(survey=survey)
    if not margins:
        raise MarginsError(NO_MARGINS, code="no_margins")
    cells = margin_cells(survey=survey, margins=margins)
    targets = [np.nan_to_num(margin.shares, nan=0.0) for margin in margins]
    return cells, rake(cells.cells, targets)


@dataclass(frozen=True)
class _Chains:
    """The chained responses as arrays, in the order the estimates read them."""

    ids: np.ndarray  # int64 response ids
    recruiters: np.ndarray  # int64 recruiter ids, -1 for none
    degrees: np.ndarray  # reported network sizes, NaN when missing
    kept: np.ndarray  # not withdrawn

    def imputed_degrees(self) -> np.ndarray:
        """Return the degrees as the estimates use them: missing or zero ones take the largest."""
        return impute_degrees(self.degrees)[0]

    def sample(self) -> RDSSample:
        """Return the recruitment forest (string ids, as ``rds_sample`` takes them)."""
        return rds_sample(
            ids=[str(pk) for pk in self.ids],
            recruiter_ids=[None if pk < 0 else str(pk) for pk in self.recruiters],
            degrees=[None if np.isnan(d) else float(d) for d in self.degrees],
        )


def _chains(survey: Survey) -> _Chains | str:
    """Read the chained responses into arrays, or say why there are no RDS weights.

    Arrays rather than rows: at a million responses a list of tuples alone is several hundred
    megabytes, and the responses export must stay within its memory budget.
    """
    chained = Response.objects.filter(survey=survey, wave__isnull=False)
    if not chained.filter(Q(seed_link__isnull=False) | Q(recruiter__isnull=False)).exists():
        return NO_CHAINS
    # Plain numbers from the database (no datetime, no None to test in Python) read in chunks
    # of rows straight into the arrays: a million rows one by one through the ORM take seconds.
    # Each row carries the number of rows, so the arrays are made at the first chunk: a count
    # before would scan the whole table a second time.
    rows = chained.order_by("submitted_at", "id").values_list(
        "id",
        Coalesce("recruiter_id", -1, output_field=BigIntegerField()),
        Response.network_size.field.name,
        ExpressionWrapper(Q(withdrawn_at__isnull=True), output_field=BooleanField()),
        Window(Count("*")),
    )
    ids = recruiters = np.empty(0, dtype=np.int64)
    degrees = np.empty(0)
    kept = np.empty(0, dtype=bool)
    count = 0
    sql, params = rows.query.sql_with_params()
    with connection.chunked_cursor() as cursor:
        cursor.execute(sql, params)
        while chunk := cursor.fetchmany(CHAINS_CHUNK):
            if not count:
                n = chunk[0][4]
                ids, recruiters = np.empty(n, dtype=np.int64), np.empty(n, dtype=np.int64)
                degrees, kept = np.empty(n), np.empty(n, dtype=bool)
            block = np.array(chunk, dtype=float)  # None (no network size) becomes NaN
            end = count + len(chunk)
            ids[count:end], recruiters[count:end] = block[:, 0], block[:, 1]
            # 0 is missing, as rds_sample reads it.
            degrees[count:end] = np.where(block[:, 2] == 0, np.nan, block[:, 2])
            kept[count:end] = block[:, 3] == 1
            count = end
    chains = _Chains(ids[:count], recruiters[:count], degrees[:count], kept[:count])
    if np.isnan(chains.degrees).all():
        return NO_DEGREES
    return chains


def _ss(survey: Survey, chains: _Chains) -> np.ndarray | str:
    """Return SS weights at the survey's population size as the estimates compute them."""
    unavailable = ss_unavailable(survey=survey, respondents=len(chains.ids))
    if unavailable:
        return unavailable
    try:
        sample = chains.sample()
    except RDSError as error:
        return str(error)
    size = EstimationSettings.of(survey).population_size
    samples = ss_sample_count(respondents=sample.size)
    return ss_weights(sample, population_size=size, seed=SS_SEED, samples=samples)


@dataclass(frozen=True)
class RDS2Terms:
    """The RDS-II weight of each kept chained respondent as ``mean / degree`` (none when no mean).

    The degree is the respondent's network size, or ``largest`` when it is missing or 0.
    """

    mean: float | None
    largest: int = 0

    def sql(self, *, response: str) -> tuple[str, list[Any]]:
        """Return SQL of a response row's weight_rds2 (NULL when it has none) and its parameters."""
        if self.mean is None:
            return "NULL::float8", []
        return (
            f"CASE WHEN {response}.wave IS NOT NULL AND {response}.withdrawn_at IS NULL "
            f"THEN %s::float8 / COALESCE(NULLIF({response}.network_size, 0), %s)::float8 END",
            [repr(self.mean), self.largest],
        )


def rds2_terms(*, survey: Survey) -> RDS2Terms | None:
    """Return the terms of weight_rds2 when it is the survey's only weight set, else None.

    Read by one aggregate query instead of the whole forest, they give ``weight_table``'s weights
    bit for bit: network sizes are whole, so the sum of the degrees is exact in float64 (checked:
    ``EXACT_SUM``), numpy's mean is that sum over the count, and each weight one IEEE division.
    None when margins or SS weights need ``weight_table`` (or the sum is too large to be exact).
    """
    if survey_margins(survey=survey):
        return None
    kept = Q(withdrawn_at__isnull=True)
    size = Response.network_size.field.name
    missing = Q(**{f"{size}__isnull": True}) | Q(**{size: 0})
    forest = Response.objects.filter(survey=survey, wave__isnull=False).aggregate(
        chained=Count("id"),
        linked=Count("id", filter=Q(seed_link__isnull=False) | Q(recruiter__isnull=False)),
        kept=Count("id", filter=kept),
        reported=Sum(size, filter=kept & ~missing, default=0),
        missing=Count("id", filter=kept & missing),
        largest=Max(size),
    )
    if not forest["linked"] or not forest["largest"]:
        return RDS2Terms(mean=None)  # NO_CHAINS or NO_DEGREES: no RDS weights at all
    if not ss_unavailable(survey=survey, respondents=forest["chained"]):
        return None
    total = forest["reported"] + forest["missing"] * forest["largest"]
    if not forest["kept"] or total > EXACT_SUM:
        return None
    return RDS2Terms(mean=total / forest["kept"], largest=forest["largest"])


def weight_table(*, survey: Survey) -> WeightTable:
    """Return every kept respondent's post-stratified, RDS-II and SS weights."""
    unavailable: dict[str, str] = {}
    by_column: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    cells = None
    try:
        cells, weights = poststrat_weights(survey=survey)
        by_column["weight_poststrat"] = (cells.ids, weights)
    except MarginsError as error:
        unavailable["weight_poststrat"] = margins_message(error)
    chains = _chains(survey)
    if isinstance(chains, str):
        unavailable["weight_rds2"] = unavailable["weight_ss"] = chains
    else:
        kept = chains.kept
        ids = chains.ids[kept]
        # As R's RDS: the mean network size over the respondent's, the mean taken over the
        # respondents kept (withdrawn ones stay in the forest only to hold their recruits).
        degree = chains.imputed_degrees()
        by_column["weight_rds2"] = (ids, degree[kept].mean() / degree[kept])
        ss = _ss(survey, chains)
        if isinstance(ss, str):
            unavailable["weight_ss"] = ss
        else:
            kept_ss = ss[kept]
            by_column["weight_ss"] = (
                ids,
                kept_ss * EstimationSettings.of(survey).population_size / kept_ss.sum(),
            )
    # Sorted and deduplicated (np.unique's result) by a sort: np.unique hashes, ten times slower.
    # One copy, sorted in place: at a million respondents each copy is 8 MB of the export's peak.
    every = np.concatenate([ids for ids, _w in by_column.values()] or [np.empty(0)]).astype(
        np.int64, copy=False
    )
    every.sort()
    every = every[np.concatenate(([True], every[1:] != every[:-1]))] if len(every) else every
    table = np.full((len(every), len(WEIGHT_COLUMNS)), np.nan)
    for index, name in enumerate(WEIGHT_COLUMNS):
        if name in by_column:
            ids, weights = by_column[name]
            table[np.searchsorted(every, ids), index] = weights
    return WeightTable(ids=every, weights=table, unavailable=unavailable, cells=cells)
