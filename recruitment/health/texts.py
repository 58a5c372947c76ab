"""The alerts in words, in the active language: a title, a plain explanation, the threshold."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.template.defaultfilters import floatformat
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from recruitment.health.chains import RawAlert
from recruitment.health.stalled import stalled_words
from recruitment.health.thresholds import (
    CONVERGENCE,
    DYING_CHAIN,
    FLAGGED_SHARE,
    SEED_DOMINANCE,
    SURVEY_STALLED,
    Thresholds,
)
from recruitment.monitor.figures import country_labels
from surveys.models import Option, Question, Survey


@dataclass(frozen=True)
class AlertView:
    """One alert as the monitor and the digest show it."""

    kind: str
    key: str
    severity: str
    title: str
    explanation: str
    threshold: str
    # The chain's largest countries and its last completion, for an alert about one chain.
    where: str = ""
    snoozed_until: dt.datetime | None = None
    snoozed_by: str = ""


@dataclass(frozen=True)
class Labels:
    """The words behind the codes in the alerts: questions' texts, options' labels."""

    questions: dict[str, str]
    options: dict[tuple[str, str], str]
    countries: dict[str, str] = field(default_factory=dict)


def labels_for(*, survey: Survey, alerts: list[RawAlert]) -> Labels:
    """Return the labels of the questions and options the alerts name (two queries at most)."""
    countries = (
        country_labels(survey=survey) if any("countries" in a.params for a in alerts) else {}
    )
    codes = {alert.params["question"] for alert in alerts if alert.kind == CONVERGENCE}
    if not codes:
        return Labels({}, {}, countries)
    questions = {q.code: q.text for q in Question.objects.filter(survey=survey, code__in=codes)}
    options = {
        (option.question.code, option.code): option.label
        for option in Option.objects.filter(
            question__survey=survey, question__code__in=codes
        ).select_related("question")
    }
    return Labels(questions, options, countries)


def _where(alert: RawAlert, labels: Labels) -> str:
    """Return where a chain lives and when it last grew: «Kazakhstan 12, Kyrgyzstan 3 · …»."""
    parts = []
    countries = alert.params.get("countries") or []
    if countries:
        parts.append(
            ", ".join(
                f"{labels.countries.get(code, code or _('not answered'))} {count}"
                for code, count in countries
            )
        )
    if alert.params.get("last"):
        parts.append(_("last completed %(day)s") % {"day": alert.params["last"]})
    elif "last" in alert.params:
        parts.append(_("nobody has completed it yet"))
    return " · ".join(parts)


def _number(value: float) -> str:
    """Return a share or a threshold as the active language writes it: «12,5» in ru/kk, «40»."""
    return floatformat(value, -1)


def _params(alert: RawAlert) -> dict[str, Any]:
    """Return the alert's parameters for the message, its shares written in the page's language."""
    return {
        name: _number(value) if name in ("share", "movement") and value is not None else value
        for name, value in alert.params.items()
    }


def _chain(alert: RawAlert) -> str:
    if alert.key.startswith("root-"):
        return _("without a link") + f" · {alert.params['chain']}"
    return alert.params["chain"]


def _dying(alert: RawAlert, thresholds: Thresholds) -> tuple[str, str, str]:
    p = {**_params(alert), "chain": _chain(alert)}
    if p["started"]:
        title = _("Chain “%(chain)s” is dying out") % p
        text = (
            _(
                "No recruit has completed the survey in this chain for %(days)s days while other "
                "chains kept growing, although its respondents still have personal links to pass "
                "on. A chain that stops early leaves its part of the population under-sampled. "
                "The survey is anonymous, so its respondents cannot be contacted: ask the seed to "
                "remind the people they invited, or add a seed with similar contacts."
            )
            % p
        )
    else:
        title = _("Nobody has completed the survey through “%(chain)s” yet") % p
        text = (
            _(
                "The seed link has been open for %(days)s days while other chains kept growing, "
                "but nobody has completed the survey through it. Contact the seed again, or give "
                "the link to someone else in the same circle."
            )
            % p
        )
    limit = _("Alert after %(days)s days without a completed recruit.") % {
        "days": thresholds[DYING_CHAIN]["days"]
    }
    return title, text, limit


def _dominance(alert: RawAlert, thresholds: Thresholds) -> tuple[str, str, str]:
    p = {**_params(alert), "chain": _chain(alert)}
    title = _("Chain “%(chain)s” holds %(share)s %% of the sample") % p
    text = (
        _(
            "%(size)s of the %(total)s responses came through this one chain. RDS estimates assume "
            "that the sample has forgotten where it started; when one seed's circle makes up much "
            "of it, the estimates lean towards that circle. Add seeds in other circles, or close "
            "this seed link."
        )
        % p
    )
    limit = _("Alert above %(percent)s %% of the sample in one chain.") % {
        "percent": _number(thresholds[SEED_DOMINANCE]["percent"])
    }
    return title, text, limit


def _convergence(alert: RawAlert, thresholds: Thresholds, labels: Labels) -> tuple[str, str, str]:
    code = alert.params["question"]
    p = {
        **_params(alert),
        "question": labels.questions.get(code, code),
        "waves": thresholds[CONVERGENCE]["waves"],
        "points": _number(thresholds[CONVERGENCE]["points"]),
    }
    title = _("The estimate of “%(question)s” is still moving") % p
    if alert.params.get("movement") is None:
        p["deepest"] = max(alert.params["waves_so_far"] - 1, 0)
        text = (
            ngettext(
                "The recruitment has reached wave %(deepest)s: the RDS-II estimate cannot yet "
                "have stayed stable over %(waves)s wave. More waves can still change the result.",
                "The recruitment has reached wave %(deepest)s: the RDS-II estimate cannot yet "
                "have stayed stable over %(waves)s waves. More waves can still change the result.",
                p["waves"],
            )
            % p
        )
    else:
        p["option"] = labels.options.get((code, p["option"]), p["option"])
        text = _moving(p)
    return title, text, _stable(p)


# One wave is "the last wave", with no number; the plural forms all carry the number, since
# Russian writes 21, 31, ... waves with its first form (for 1) and must show the count there.
def _moving(p: dict[str, Any]) -> str:
    if p["waves"] == 1:
        return (
            _(
                "Over the last wave the RDS-II estimate still changed by %(movement)s percentage "
                "points (answer “%(option)s”), more than its own margin of error. Until it "
                "settles, more waves can change the result: keep recruiting."
            )
            % p
        )
    return (
        ngettext(
            "Over the last %(waves)s wave the RDS-II estimate still changed by up to "
            "%(movement)s percentage points (answer “%(option)s”), more than its own margin "
            "of error. Until it settles, more waves can change the result: keep recruiting.",
            "Over the last %(waves)s waves the RDS-II estimate still changed by up to "
            "%(movement)s percentage points (answer “%(option)s”), more than its own margin "
            "of error. Until it settles, more waves can change the result: keep recruiting.",
            p["waves"],
        )
        % p
    )


def _stable(p: dict[str, Any]) -> str:
    if p["waves"] == 1:
        return (
            _("Stable: within %(points)s points, or within the 95 %% interval, over the last wave.")
            % p
        )
    return (
        ngettext(
            "Stable: within %(points)s points, or within the 95 %% interval, over the last "
            "%(waves)s wave.",
            "Stable: within %(points)s points, or within the 95 %% interval, over the last "
            "%(waves)s waves.",
            p["waves"],
        )
        % p
    )


def _flagged(alert: RawAlert, thresholds: Thresholds) -> tuple[str, str, str]:
    p = {**_params(alert), "chain": _chain(alert)}
    title = _("%(share)s %% of chain “%(chain)s” is flagged") % p
    text = (
        _(
            "%(flagged)s of its %(size)s responses carry a quality flag and were not accepted on "
            "review. Review them under “Flagged responses”: accept the genuine ones and exclude "
            "the others; an excluded respondent's recruits stay in the sample."
        )
        % p
    )
    limit = _("Alert above %(percent)s %% flagged in a chain of 10 responses or more.") % {
        "percent": _number(thresholds[FLAGGED_SHARE]["percent"])
    }
    return title, text, limit


def alert_view(alert: RawAlert, *, thresholds: Thresholds, labels: Labels) -> AlertView:
    """Return the alert in words."""
    if alert.kind == SURVEY_STALLED:
        title, text, limit = stalled_words(alert, thresholds)
    elif alert.kind == DYING_CHAIN:
        title, text, limit = _dying(alert, thresholds)
    elif alert.kind == SEED_DOMINANCE:
        title, text, limit = _dominance(alert, thresholds)
    elif alert.kind == CONVERGENCE:
        title, text, limit = _convergence(alert, thresholds, labels)
    else:
        title, text, limit = _flagged(alert, thresholds)
    return AlertView(
        kind=alert.kind,
        key=alert.key,
        severity=alert.severity,
        title=title,
        explanation=text,
        threshold=limit,
        where=_where(alert, labels),
    )
