"""Alerts about the RDS-II estimates of the key questions: stable over the last waves, or not.

The estimates store, per question, the cumulative RDS-II estimate after each wave
(``RDSQuestion.convergence_wave``, Gile, Johnston & Salganik 2015). An estimate is stable
when, after each of the last K waves before the latest, every option's share lay within the
tolerance of the latest estimate: D percentage points, or the half-width of the option's 95 %
bootstrap interval if that is wider, since a movement within the estimate's own margin of
error is noise, not drift. The key questions are the ones the published report numbers as figures
(``Survey.dashboard["figures"]``); a survey without figures has every estimated question
checked.

Recruitment reads the analysts' stored estimates; analytics never imports recruitment.
"""

from __future__ import annotations

from typing import Any

from analytics.models import RDSQuestion
from recruitment.health.chains import RawAlert
from recruitment.health.thresholds import CONVERGENCE, Thresholds
from surveys.models import Survey


def key_questions(*, survey: Survey) -> list[str]:
    """Return the codes of the survey's key questions, or [] for "every estimated question"."""
    figures = (survey.dashboard or {}).get("figures") or {}
    return list(figures) if isinstance(figures, dict) else []


def _tolerance(estimate: dict[str, Any], points: float) -> float:
    """Return how far, in points, an option's estimate may move and still be called stable."""
    low, high = estimate.get("low"), estimate.get("high")
    if low is None or high is None:
        return points
    return max(points, 100 * (high - low) / 2)


def _movement(
    curve: list[dict[str, Any]], shares: dict[str, Any], waves: int, points: float
) -> tuple[float, str]:
    """Return the largest distance, in points, of the last waves' estimates from the latest,
    beyond its tolerance, and the option that moved so; (0, "") when all are stable."""
    latest = curve[-1]["shares"]
    worst, option = 0.0, ""
    for point in curve[-(waves + 1) : -1]:
        for code, share in latest.items():
            distance = abs(100 * (point["shares"].get(code, 0.0) - share))
            if distance > _tolerance(shares.get(code) or {}, points) and distance > worst:
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
    for code, curve, shares, unavailable in rows.order_by("question").values_list(
        "question", "convergence_wave", "shares", "unavailable"
    ):
        if "shares" in (unavailable or {}):
            continue  # nobody answered it: nothing to converge
        if len(curve) < waves + 1:
            params = {"question": code, "waves_so_far": len(curve), "movement": None}
        else:
            movement, option = _movement(curve, shares or {}, waves, points)
            if not option:
                continue
            params = {"question": code, "movement": movement, "option": option}
        alerts.append(RawAlert(kind=CONVERGENCE, key=code, severity="info", params=params))
    return alerts
