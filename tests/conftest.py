"""Root test configuration.

Fixtures live in modules under ``tests/fixtures/``; add yours to ``pytest_plugins``.

With ``CI`` set (or ``STRICT_NO_SKIP=1``, which ``make test`` sets) a skipped, xfailed or
xpassed test fails the run: every test must really run where the services are installed.
"""

from __future__ import annotations

import os

import pytest

pytest_plugins = [
    "pytester",
    "tests.fixtures.services",
    "tests.fixtures.survey",
    "tests.fixtures.staff",
    "tests.fixtures.browser",
    "tests.fixtures.recruitment",
    "tests.fixtures.analytics",
    "tests.fixtures.celery",
    "tests.fixtures.stack",
]


@pytest.fixture(autouse=True)
def _generous_start_limit(settings: object) -> None:
    # Every test client shares one address; the limit has its own test, which lowers it again.
    settings.START_RATE_LIMIT = 1_000_000


@pytest.fixture(autouse=True)
def _empty_cache() -> None:
    # Rate counters, rebuild windows and RDS guards live in the cache: no test inherits them.
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def _estimates_without_rest(settings: object) -> None:
    # Tests rebuild within milliseconds and expect fresh estimates; the rest has its own test.
    settings.RDS_REST_FACTOR = 0


@pytest.fixture(autouse=True)
def _no_webhook_loop(settings: object) -> None:
    # The embedded default's webhook thread sends from its own connection; its test turns it on.
    settings.WEBHOOK_PUMP = False


_FALSY = {"", "0", "false", "no", "off"}
_not_run: list[tuple[str, str, str]] = []


def _strict() -> bool:
    return (
        os.environ.get("CI", "").strip().lower() not in _FALSY
        or os.environ.get("STRICT_NO_SKIP", "").strip() == "1"
    )


def _reason(report: pytest.TestReport | pytest.CollectReport) -> str:
    if hasattr(report, "wasxfail"):
        return str(report.wasxfail) or "xfail"
    longrepr = report.longrepr
    if isinstance(longrepr, tuple) and len(longrepr) == 3:
        return str(longrepr[2])
    return str(longrepr)


def pytest_collectreport(report: pytest.CollectReport) -> None:
    if report.skipped:
        _not_run.append((report.nodeid or ".", "skipped at collection", _reason(report)))


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if report.skipped:
        kind = "xfailed" if hasattr(report, "wasxfail") else "skipped"
        _not_run.append((report.nodeid, kind, _reason(report)))
    elif report.when == "call" and report.passed and hasattr(report, "wasxfail"):
        _not_run.append((report.nodeid, "xpassed", _reason(report)))


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if _strict() and _not_run and session.exitstatus == pytest.ExitCode.OK:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_terminal_summary(terminalreporter, exitstatus: int, config: pytest.Config) -> None:
    if not (_strict() and _not_run):
        return
    terminalreporter.section("tests that did not run (CI / STRICT_NO_SKIP=1)", sep="=", red=True)
    for nodeid, kind, reason in _not_run:
        terminalreporter.write_line(f"{kind.upper()}: {nodeid} - {reason}", red=True)
    terminalreporter.write_line(
        f"{len(_not_run)} test(s) skipped or xfailed: that fails the run under CI. "
        "Install what they need (.ci/run does) instead of skipping.",
        red=True,
        bold=True,
    )
