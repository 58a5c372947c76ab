"""The benchmarks, run small (about 1,000 responses) so that they cannot rot between runs.

``make bench`` runs them at a million responses against the local stack; here each one's
``measure`` runs against the test database and Django's live server, with the same wrk + Lua
respondent as ``make bench``: a change of the respondent's flow that the client cannot follow
fails here. The figures themselves are not judged here (a shared CI machine is too noisy): what
is checked is that every figure is measured from real work.
"""

from __future__ import annotations

import ipaddress
import re
import subprocess
import sys
import threading
import time

import pytest

from benchmarks import (
    bench_aggregates,
    bench_api,
    bench_dashboards,
    bench_export,
    bench_rds,
    bench_submissions,
    bench_tree,
    common,
)
from benchmarks.common import HarnessError
from benchmarks.worker import Watch, Worker
from config import bench
from estimates.models import RDSEstimateSet
from estimates.rds.refresh import estimated_questions, rds_running_key
from sampledata.bulk import responses_generate
from surveys.links import limits
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


@pytest.fixture
def server(live_server, transactional_db):
    """The live server's address for wrk, left only once it has answered every request.

    wrk leaves requests in flight when its time is up; the server finishes them (a submit
    rebuilds the aggregates in-process here), and the database is emptied only after that.
    """
    yield live_server.url.replace("localhost", "127.0.0.1")  # wrk would try ::1 first
    from django.db import connection

    quiet_since, deadline = None, time.monotonic() + 120
    while time.monotonic() < deadline:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND pid <> pg_backend_pid() AND state <> 'idle'"
            )
            busy = cursor.fetchone()[0]
        if busy:
            quiet_since = None
        elif quiet_since is None:
            quiet_since = time.monotonic()
        elif time.monotonic() - quiet_since > 1.5:
            return
        time.sleep(0.1)


@pytest.fixture
def behind_proxy(settings) -> None:
    """Trust loopback as make bench does: each respondent has an address of its own."""
    settings.BENCH_HELLO = True
    settings.TRUSTED_PROXY_NETWORKS = [ipaddress.ip_network("127.0.0.1/32")]


def test_submission_benchmark_measures_real_submits_and_sessions(thousand, server, behind_proxy):
    before = set(Response.objects.filter(survey=thousand).values_list("pk", flat=True))
    figures = bench_submissions.measure(
        base_url=server, clients=[3], duration=3.0, per_client=2, session_clients=2
    )
    assert _names(figures) == [
        "one-row insert/s, N clients",
        "final submits/s, N clients",
        "final submit p99, N clients",
        "errors, N clients",
        "full respondent sessions/s, N clients",
    ]
    insert, submits, p99, errors, sessions = figures
    assert errors.value == 0 and errors.ok, errors.notes
    assert insert.value > 0 and insert.baseline > 0  # ÷ hello
    assert submits.value > 0 and submits.baseline == insert.value and submits.ratio is not None
    assert all(f.worker == "no Celery worker running" for f in figures)
    assert 0 < p99.value < 30_000
    completed = int(re.search(r"(\d+) sessions", sessions.notes).group(1))
    assert completed >= 1
    # Every final submit and every session stored exactly one new response (a session that the
    # end of the run cut after its submit, before its thank-you page, too), through the whole
    # flow: each page's served stamp came back, the honeypot stayed empty, and every simulated
    # respondent was a client of its own.
    new = Response.objects.filter(survey=thousand).exclude(pk__in=before)
    # The insert floor's rows went to a closed survey of their own, as wide as a response.
    floor = Response.objects.filter(survey__slug=bench.INSERT_SURVEY)
    assert floor.count() >= 1 and not Survey.objects.get(slug=bench.INSERT_SURVEY).is_open
    assert Response.objects.filter(survey=thousand, answers=floor.first().answers).exists()
    assert 3 * 2 + completed <= new.count() <= 3 * 2 + completed + 2
    pages = {str(page.position) for page in thousand.pages.all()}
    for response in new:
        assert set(response.paradata["page_seconds"]) == pages
        assert not {limits.FLAG_HONEYPOT, limits.FLAG_SAME_CLIENT_RECENTLY} & set(
            response.quality_flags
        )
    assert len({r.client_hash for r in new}) == new.count()


def test_wrk_respondent_answers_the_person_check_beyond_the_start_limit(
    thousand, server, settings, monkeypatch
):
    settings.START_RATE_LIMIT = 1  # one address (no proxy is trusted): every start but one asks
    # wrk runs no script: it answers as a browser without JavaScript that waited on the page.
    monkeypatch.setattr(limits, "PERSON_WAIT_SECONDS", 0)
    load = bench_submissions.WrkClient(server)
    run, _ = load.submits(clients=2, per_client=2)
    assert run.requests == 4 and run.errors == 0, run.first_error
    assert run.challenges >= 3
    assert Response.objects.filter(survey=thousand).count() == 1000 + 4


def test_submission_benchmark_is_a_harness_error_when_wrk_cannot_prepare_drafts(
    thousand, server, behind_proxy
):
    Survey.objects.filter(pk=thousand.pk).update(is_open=False)
    load = bench_submissions.WrkClient(server, stall_seconds=3)
    with pytest.raises(HarnessError, match=r"prepared only 0 drafts .* GET consent: status 410"):
        load.submits(clients=2, per_client=1)


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


def test_rds_benchmark_waits_for_a_running_refresh_then_times_the_whole_refresh(thousand, settings):
    from django.core.cache import cache

    # Another computation (the stack's worker) holds the refresh's guard for a second.
    guard = rds_running_key(survey_id=thousand.pk)
    assert cache.add(guard, 1, timeout=60)
    released = []

    def release() -> None:
        released.append(time.time())
        cache.delete(guard)

    timer = threading.Timer(1.0, release)
    timer.start()
    try:
        figures = bench_rds.measure(survey=thousand, patience=60)
    finally:
        timer.cancel()
    assert _names(figures) == [
        "full RDS refresh, N responses",
        "full RDS refresh CPU, N responses",
        "full RDS refresh peak memory, N responses",
    ]
    wall, cpu, memory = figures
    # It computed only after the other computation had let go, and let go itself afterwards.
    stored = RDSEstimateSet.objects.get(pk=thousand.pk)
    assert released and stored.built_at.timestamp() >= released[0]
    assert float(re.search(r"waited (\d+\.\d) s", wall.notes).group(1)) >= 1.0
    assert cache.get(guard) is None
    # The whole refresh ran: every question estimated with the full bootstrap.
    assert not stored.unavailable and stored.respondents == 1000
    replicates = settings.RDS_BOOTSTRAP_REPLICATES
    assert stored.replicates == replicates and f"{replicates:,} replicates" in wall.notes
    assert stored.questions.count() == len(estimated_questions(thousand)) == 12
    assert wall.value >= stored.seconds > 0 and wall.baseline > 0 and wall.ratio is not None
    assert wall.target == "≤ 60 s" and wall.baseline_name == "rows read + RDS-II points"
    assert "rows read in" in wall.notes and "RDS-II points in" in wall.notes
    assert cpu.value > 0 and cpu.baseline > 0
    assert "PostgreSQL backend" in cpu.notes  # the database runs on this machine here
    assert 10 < memory.value < 2048 and memory.ok and memory.baseline == 2048
    assert all(f.worker == "no Celery worker running" for f in figures)


def test_rds_benchmark_is_a_harness_error_when_the_refresh_stays_taken(thousand):
    from django.core.cache import cache

    guard = rds_running_key(survey_id=thousand.pk)
    assert cache.add(guard, 1, timeout=60)
    try:
        with pytest.raises(HarnessError, match="held the RDS refresh"):
            bench_rds.measure(survey=thousand, patience=1.0)
    finally:
        cache.delete(guard)
    assert not RDSEstimateSet.objects.filter(pk=thousand.pk).exists()


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


def test_api_benchmark_pulls_full_pages_from_the_start_and_the_middle(thousand, live_server):
    small = _survey("sco-2025-small")
    responses_generate(survey=small, n=50, seed=12)
    time.sleep(2.1)  # the API serves rows once API_SETTLE_SECONDS old
    figures = bench_api.measure(base_url=live_server.url, big=thousand, small=small, requests=2)
    assert _names(figures) == [
        "API responses, first page at N responses",
        "API responses, middle page at N responses",
    ]
    for figure in figures:
        assert figure.value > 0 and figure.baseline > 0
        assert not figure.notes.startswith("FAILED"), figure.notes
        assert figure.baseline_name == "first page at 50"


def test_the_api_benchmark_pages_really_hold_a_thousand_rows(thousand, live_server):
    import json
    import urllib.request

    time.sleep(2.1)
    headers = bench_api.token_headers(survey=thousand)
    url = f"{live_server.url}/api/v1/surveys/{thousand.slug}/responses/?page_size=1000"
    middle = f"{url}&cursor={bench_api.middle_cursor(survey=thousand)}"
    sizes = []
    for page in (url, middle):
        request = urllib.request.Request(page, headers=headers)  # noqa: S310 (the live server)
        with urllib.request.urlopen(request) as reply:  # noqa: S310
            sizes.append(len(json.load(reply)["results"]))
    assert sizes == [1000, 499]  # the middle page starts after the 501st of 1,000


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
            "final submits/s, 16 clients",
            90.0,
            "/s",
            900.0,
            "hello",
            "ratio ≥ 0.15",
            False,
            worker="worker paused, 0 % of a core",
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
        "| **misses** | worker paused, 0 % of a core |" in text
    )
    assert "| tree | 120 ms | limit (ms): 1,000 | 0.120 | ≤ 1000 ms | meets |  |" in text


def test_make_bench_fails_on_a_missed_target_and_says_apart_when_the_harness_broke():
    from benchmarks import run

    assert run.exit_status(missed=[], failures=[]) == 0
    assert run.exit_status(missed=["final submit p99, 64 clients"], failures=[]) == 1
    assert run.exit_status(missed=[], failures=["bench_submissions.py: HarnessError: …"]) == 2


def test_bench_pauses_a_busy_worker_and_says_how_busy_it_was_beside_the_figure(tmp_path):
    # A real process standing in for the Celery worker: it spins until it is stopped.
    busy = subprocess.Popen([sys.executable, "-c", "while True: pass"])
    try:
        (tmp_path / "worker.pid").write_text(str(busy.pid))
        worker = Worker(worker_pidfile=tmp_path / "worker.pid", beat_pidfile=tmp_path / "none")
        waited, share = worker.wait_idle(patience=1.0, window=0.5)
        assert waited >= 1.0
        assert share > 0.2  # never idle: the wait gives up after its patience
        with Watch(worker) as running:
            time.sleep(1.0)
        assert "BUSY" in running.note() and "worker running" in running.note()
        with worker.paused(), Watch(worker, paused=True) as paused:
            time.sleep(1.0)
        assert paused.result < 0.05 and paused.note().startswith("worker paused, 0 % of a core")
        assert worker.share(0.5) > 0.2  # running again afterwards
    finally:
        busy.kill()
        busy.wait()
