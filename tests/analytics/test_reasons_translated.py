"""Every reason the estimators give for a missing estimate reads in the page's language."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from django.utils import translation

ROOT = Path(__file__).resolve().parents[2]


def _reasons() -> list[str]:
    """Return the constant messages of every RDSError the estimators raise."""
    found = []
    for path in (ROOT / "analytics" / "rds").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if (
                isinstance(node, ast.Raise)
                and isinstance(node.exc, ast.Call)
                and getattr(node.exc.func, "id", "") == "RDSError"
            ):
                (argument,) = node.exc.args
                if isinstance(argument, ast.Call) and getattr(argument.func, "id", "") == (
                    "gettext_noop"
                ):
                    argument = argument.args[0]
                if isinstance(argument, ast.Constant):
                    found.append(argument.value)
    return found


@pytest.mark.parametrize("language", ["ru", "kk"])
def test_every_constant_estimator_reason_is_translated(language: str) -> None:
    reasons = _reasons()
    assert (
        "The recruitment Markov chain has no unique stationary distribution (some groups "
        "never recruit into the others)." in reasons
    )
    with translation.override(language):
        untranslated = [reason for reason in reasons if translation.gettext(reason) == reason]
    assert not untranslated, untranslated
