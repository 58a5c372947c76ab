"""A survey paying 2000 KZT for taking part and 1000 per recruit, and a chain grown over HTTP."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core.management import call_command

from surveys.models import SeedLink, Survey
from tests.fixtures.recruitment import HttpTree

PRIMARY, PER_RECRUIT = 2000, 1000


@pytest.fixture
def paying_survey(sco_survey: Survey) -> Survey:
    """The SCO survey with incentives set the way an organizer sets them: by the command."""
    call_command(
        "set_incentives",
        f"--survey={sco_survey.slug}",
        "--currency=KZT",
        f"--primary={PRIMARY}",
        f"--per-recruit={PER_RECRUIT}",
        "--budget=100000",
        stdout=open("/dev/null", "w"),  # noqa: SIM115
    )
    return sco_survey


Committed = Callable[..., Any]


@pytest.fixture
def committed(django_capture_on_commit_callbacks: Callable[..., Any]) -> Committed:
    """Return a runner that does a step, then what waits for its commit (signals, receivers).

    The test's transaction never commits, so the callbacks run as each step ends.
    """

    def run(step: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        with django_capture_on_commit_callbacks(execute=True):
            return step(*args, **kwargs)

    return run


@pytest.fixture
def chain(paying_survey: Survey, committed: Committed) -> HttpTree:
    """alma (wave 0) recruits three; alma-1 one; alma-1-a one: waves 0 to 3, through HTTP."""
    tree = HttpTree(survey=paying_survey)
    tree.seeds["students"] = SeedLink.objects.create(survey=paying_survey, label="students")
    for name, via, country, degree in (
        ("alma", "students", "kz", 40),
        ("alma-1", "alma", "kz", 25),
        ("alma-2", "alma", "kz", 8),
        ("alma-3", "alma", "uz", 30),
        ("alma-1-a", "alma-1", "kz", 17),
    ):
        committed(tree.join, name, via, country, degree)
    committed(tree.join, "alma-1-a-x", "alma-1-a", "kg", 60, language="kk")
    return tree
