"""The benchmarks, run small (about 1,000 responses) so that they cannot rot between runs.

``make bench`` runs them at a million responses against the local stack; here each one's
``measure`` runs against the test database and Django's live server, with the Python load
client instead of wrk. The figures themselves are not judged here (a shared CI machine is too
noisy): what is checked is that every figure is measured from real work.
"""

from __future__ import annotations

import re

import pytest

from benchmarks import (
    bench_aggregates,
    bench_dashboards,
    bench_export,
    bench_submissions,
    bench_tree,
    common,
)
from sampledata.bulk import responses_generate
from surveys.models import Response, SeedLink, Survey
from surveys.questionnaire.loader import (
    questionnaire_load,
    questionnaire_read,
    shipped_questionnaires,
)

pytestmark = pytest.mark.postgres  # the baselines are PostgreSQL's own GROUP BY and COPY


def _survey(slug: str = "sco-2025") -> Survey:
    (path,) = [p for p in shipped_questionnaires() if p.stem == "sco-2025"]
    data = questionnaire_read(path=path)
    data["slug"] = slug
    return questionnaire_load(data=data)


@pytest.fixture
def thousand(transactional_db: None) -> Survey:
    """The SCO survey with 1,000 generated responses, committed for other processes to see."""
    survey = _survey()
    responses_generate(survey=survey, n=1000, seed=11)
    return survey


def _names(figures: list[common.Figure]) -> list[str]:
    return [re.sub(r"(?<= )\d[\d,]*", "N", f.name) for f in figures]


def test_submission_benchmark_measures_real_submits_and_sessions(thousand, live_server, settings):
    settings.BENCH_HELLO = True
    before = Response.objects.filter(survey=thousand).count()
    figures = bench_submissions.measure(
        base_url=live_server.url,
        client="python",
        clients=[3],
        duration=1.0,
        per_client=2,
        session_clients=2,
    )
    assert _names(figures) == [
        "final submits/s, N clients",
        "final submit p99, N clients",
        "errors, N clients",
        "full respondent sessions/s, N clients",
    ]
    submits, p99, errors, sessions = figures
    assert errors.value == 0 and errors.ok
    assert submits.value > 0 and submits.baseline > 0 and submits.ratio is not None
    assert 0 < p99.value < 30_000
    completed = int(re.search(r"(\d+) sessions", sessions.notes).group(1))
    assert completed >= 1
    # Every final submit and every session stored exactly one new response.
    assert Response.objects.filter(survey=thousand).count() == before + 3 * 2 + completed


def test_aggregate_benchmark_times_full_and_incremental_rebuilds(thousand):
    figures = bench_aggregates.measure(
        survey=thousand, incremental=100, repeats=1, incremental_repeats=1
    )
    assert _names(figures) == [
        "full aggregate rebuild, N responses",
        "incremental rebuild after N new responses",
    ]
    full, incremental = figures
    assert full.value > 0 and full.baseline > 0
    assert "cells written" in full.notes
    assert incremental.value > 0 and incremental.target == "≤ 0.5 s"
    assert Response.objects.filter(survey=thousand).count() == 1100


def test_export_benchmark_exports_every_row_next_to_postgresql_copy(thousand):
    figures = bench_export.measure(survey=thousand, labels="en")
    export, memory = figures
    assert export.name == "wide CSV export with labels (en), 1,000 responses"
    assert export.value > 0 and export.baseline > 0 and export.ratio is not None
    assert 10 < memory.value < 1024  # MB of a real Python process
    assert memory.ok is (memory.value <= 256)


def test_dashboard_benchmark_serves_both_sizes(thousand, live_server):
    small = _survey("sco-2025-small")
    responses_generate(survey=small, n=50, seed=12)
    figures = bench_dashboards.measure(
        base_url=live_server.url, big=thousand, small=small, requests=2
    )
    assert _names(figures) == [
        "analysts' dashboard, median at N responses",
        "organizers' monitor, median at N responses",
    ]
    for figure in figures:
        assert figure.value > 0 and figure.baseline > 0
        assert figure.baseline_name == "median at 50"


def test_tree_benchmark_serves_a_generated_chain_of_the_asked_size(thousand, live_server):
    figures = bench_tree.measure(base_url=live_server.url, survey=thousand, nodes=150, requests=2)
    assert _names(figures) == [
        "recruitment tree page (SVG), N-node chain",
        "recruitment tree JSON, N-node chain",
    ]
    seed = SeedLink.objects.get(survey=thousand, note="bench-tree-150")
    assert seed.responses.count() == 150
    assert all(f.value > 0 for f in figures)
    # A second run reuses the chain instead of growing the survey again.
    bench_tree.measure(base_url=live_server.url, survey=thousand, nodes=150, requests=1)
    assert SeedLink.objects.filter(survey=thousand, note="bench-tree-150").count() == 1


def test_results_entry_records_machine_commit_command_and_each_figure(tmp_path, monkeypatch):
    monkeypatch.setattr(common, "RESULTS", tmp_path / "RESULTS.md")
    figures = [
        common.Figure(
            "final submits/s, 16 clients", 90.0, "/s", 900.0, "hello", "ratio ≥ 0.15", False
        ),
        common.Figure("tree", 120.0, "ms", 1000.0, "limit (ms)", "≤ 1000 ms", True),
    ]
    common.results_append(figures=figures, command="make bench", notes=["quiet machine"])
    text = (tmp_path / "RESULTS.md").read_text()
    assert text.startswith("# Benchmark results")
    assert re.search(r"^## \d{4}-\d\d-\d\d \d\d:\d\d UTC$", text, re.MULTILINE)
    assert "- machine: " in text and "- commit: " in text and "- command: `make bench`" in text
    assert (
        "| final submits/s, 16 clients | 90 /s | hello: 900 | 0.100 | ratio ≥ 0.15 "
        "| **misses** |" in text
    )
    assert "| tree | 120 ms | limit (ms): 1,000 | 0.120 | ≤ 1000 ms | meets |" in text
