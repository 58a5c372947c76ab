"""Alerts about the RDS-II estimates of the key questions: stable over the last waves, or not.

The estimates store, per question, the cumulative RDS-II estimate after each wave
(``RDSQuestion.convergence_wave``, Gile, Johnston & Salganik 2015). An estimate is stable
when, after each of the last K waves before the latest, every option's share lay within the
tolerance of the latest estimate: D percentage points, or the half-width of the option's 95 %
bootstrap interval if that is wider, since a movement within the estimate's own margin of
error is noise, not drift. The key questions are the ones the published report numbers as figures
(``DashboardLayout.layout["figures"]``); a survey without figures has every estimated question
checked.

Recruitment reads the analysts' stored estimates; analytics never imports recruitment.
"""

from __future__ import annotations

from aggregates.models import DashboardLayout
from estimates.contracts import OptionEstimates, QuestionRecord
from estimates.models import RDSQuestion
from recruitment.health.chains import RawAlert
from recruitment.health.thresholds import CONVERGENCE, Thresholds
from surveys.models import Survey


def key_questions(*, survey: Survey) -> list[str]:
    """Return the codes of the survey's key questions, or [] for "every estimated question"."""
    figures = DashboardLayout.of(survey).layout.get("figures") or {}
    return list(figures) if isinstance(figures, dict) else []


def _tolerance(estimate: OptionEstimates, points: float) -> float:
    """Return how far, in points, an option's estimate may move and still be called stable."""
    interval = estimate.rds2.reported
    if interval is None:
        return points
    return max(points, 100 * (interval.high - interval.low) / 2)


def _movement(record: QuestionRecord, waves: int, points: float) -> tuple[float, str]:
    """Return the largest distance, in points, of the last waves' estimates from the latest,
    beyond its tolerance, and the option that moved so; (0, "") when all are stable."""
    curve = record.convergence_wave
    latest = curve[-1].shares
    worst, option = 0.0, ""
    for point in curve[-(waves + 1) : -1]:
        for code, share in latest.items():
            distance = abs(100 * (point.shares.get(code, 0.0) - share))
            if distance > _tolerance(record.option(code), points) and distance > worst:
                worst, option = distance, code
    return round(worst, 1), option


def unstable_estimates(*, survey: Survey, thresholds: Thresholds) -> list[RawAlert]:
    """Return an alert per key question whose estimate still moves, or has too few waves."""
    waves = int(thresholds[CONVERGENCE]["waves"])
    points = thresholds[CONVERGENCE]["points"]
    rows = RDSQuestion.objects.filter(estimate_set__survey=survey, estimate_set__unavailable="")
    codes = key_questions(survey=survey)
    if codes:
        rows = rows.filter(question__in=codes)
    alerts = []
    for row in rows.order_by("question").only(
        "question", "version", "convergence_wave", "shares", "unavailable"
    ):
        code, record = row.question, row.record()
        if not record.answered:
            continue  # nobody answered it: nothing to converge
        if len(record.convergence_wave) < waves + 1:
            params = {
                "question": code,
                "waves_so_far": len(record.convergence_wave),
                "movement": None,
            }
        else:
            movement, option = _movement(record, waves, points)
            if not option:
                continue
            params = {"question": code, "movement": movement, "option": option}
        alerts.append(RawAlert(kind=CONVERGENCE, key=code, severity="info", params=params))
    return alerts
