"""Why margins cannot weight a sample, said in the reader's language."""

from __future__ import annotations

from django.utils.translation import gettext as _

from estimates.margins.raking import MarginsError


def margins_message(error: MarginsError) -> str:
    """Return the translated explanation of a MarginsError."""
    params = error.params
    messages = {
        "no_margins": lambda: _(
            "No population margins were entered for this survey, so there is no "
            "post-stratification."
        ),
        "no_respondents": lambda: _(
            "No respondent answered every question that has margins (an empty cell)."
        ),
        "shares_sum": lambda: _("The shares of a question must add up to 1."),
        "empty_cell": lambda: _(
            "A margin above zero has no respondent left to carry it (an empty cell)."
        ),
        "zero_weights": lambda: _("Every respondent would get a weight of zero."),
        "not_converged": lambda: (
            _(
                "Raking did not converge in %(sweeps)s sweeps: the margins cannot all be met by "
                "this sample."
            )
            % params
        ),
        "no_margin": lambda: (
            _(
                "Respondents answered %(question)s = %(option)s, which has no margin "
                "(an empty cell)."
            )
            % params
        ),
        "no_respondent": lambda: (
            _(
                "%(question)s = %(option)s has a population share above zero but no respondent "
                "(an empty cell)."
            )
            % params
        ),
    }
    message = messages.get(error.code)
    return message() if message else str(error)
