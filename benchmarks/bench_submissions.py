"""Final submits per second against the write floor on the same gunicorn, and full sessions.

Run against the local stack (``make serve`` first, or ``make bench``)::

    .venv/bin/python benchmarks/bench_submissions.py [--clients 16,64] [--duration 10]

Every simulated client does the real flow: GET the consent page (CSRF cookie), POST consent
(session cookie, draft), GET and POST each page. Drafts are prepared that way beforehand, one per
final submit, so that the measured requests are final submits alone: each stores a new response.

Figures at each client count: ``/bench/insert`` requests/s (one response-wide row in one
transaction: the write floor; config/bench.py) ÷ ``/bench/hello``; final submits/s ÷ inserts/s
(target at least 0.9); the submits' p50 and p99 (target p99 at most 250 ms); errors (target
none); and whole respondent sessions per second (13 requests each). Against the stack, the
Celery worker is waited for and then paused (with beat) while they are measured, and each
figure says what the worker did meanwhile.

The load client is ``wrk`` (C, event-driven, Lua for the flow: benchmarks/wrk/), which runs on
the same two cores as the server and takes a few percent of them. The smoke test drives the
same client, so that a change of the respondent's flow that the client cannot follow fails
there first. A client that cannot prepare its drafts is a HarnessError, never a figure.
"""

from __future__ import annotations

import argparse
import json
import math
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.common import WORK, Figure, HarnessError, figure_print, figures_write, stack_env
from benchmarks.worker import Watch, Worker, worker_find

WRK_DIR = Path(__file__).resolve().parent / "wrk"
# Final submits ÷ the one-row insert at the same client count (/bench/insert, the write floor).
RATIO_TARGET = 0.9
P99_TARGET_MS = 250.0
STALL_SECONDS = 30.0
SURVEY_PATH = "/en/s/sco-2025/"


@dataclass
class Run:
    """What one load run measured."""

    requests: int
    seconds: float
    errors: int
    p50_ms: float = 0.0
    p99_ms: float = 0.0
    sessions: int = 0
    challenges: int = 0
    first_error: str = ""

    @property
    def rate(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


# --- wrk ---------------------------------------------------------------------------------------


def _wrk(
    base_url: str,
    *,
    threads: int,
    connections: int,
    duration: float,
    script: str,
    script_args: list[str] | None = None,
    markers: list[Path] | None = None,
    watch: list[Path] | None = None,
    stall_seconds: float = STALL_SECONDS,
    path: str = "",
) -> dict[str, float]:
    """Run wrk and return the RESULT line its Lua ``done`` prints; stop it once markers exist."""
    command = [
        "wrk",
        f"-t{threads}",
        f"-c{connections}",
        f"-d{max(1, math.ceil(duration))}s",
        "--timeout",
        "10s",
        "-s",
        str(WRK_DIR / script),
        base_url.rstrip("/") + path,
    ]
    if script_args:
        command += ["--", *script_args]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if markers:
        # wrk sleeps for its whole -d even when every thread stopped: interrupt it then, or
        # when the threads have made no progress (no draft written, no thread done) for a while:
        # their requests fail, which the RESULT line then tells.
        seen, last_change = -1, time.monotonic()
        while process.poll() is None:
            if all(m.exists() for m in markers):
                break
            progress = _progress([*markers, *(watch or [])])
            if progress != seen:
                seen, last_change = progress, time.monotonic()
            elif time.monotonic() - last_change > stall_seconds:
                break
            time.sleep(0.1)
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=duration + 60)
    for line in out.splitlines():
        if line.startswith("RESULT "):
            return json.loads(line[len("RESULT ") :])
    raise HarnessError(f"wrk printed no result (exit {process.returncode}):\n{out}\n{err}")


def _progress(paths: list[Path]) -> int:
    """Return how far the files show a run has come: bytes written plus files present."""
    total = 0
    for path in paths:
        if path.exists():
            total += path.stat().st_size + 1
    return total


def _wrk_run(result: dict[str, float], count_key: str = "requests") -> Run:
    seconds = (result.get("active_us") or result["duration_us"]) / 1e6
    errors = int(result.get("unexpected", 0) + result["socket_errors"] + result["status_errors"])
    return Run(
        requests=int(result[count_key]),
        seconds=seconds,
        errors=errors,
        p50_ms=result["p50_us"] / 1000,
        p99_ms=result["p99_us"] / 1000,
        sessions=int(result.get("sessions", 0)),
        challenges=int(result.get("challenges", 0)),
        first_error=str(result.get("first_error", "")),
    )


class WrkClient:
    """Load runs with wrk and the Lua scripts in benchmarks/wrk/."""

    def __init__(self, base_url: str, *, stall_seconds: float = STALL_SECONDS) -> None:
        if shutil.which("wrk") is None:
            raise HarnessError("wrk is missing: apt-get install wrk (make bench does, as root)")
        self.base_url = base_url
        self.stall_seconds = stall_seconds
        WORK.mkdir(parents=True, exist_ok=True)

    def _floor(self, path: str, *, clients: int, duration: float, method: str = "GET") -> Run:
        """Run one request, again and again, against a bench endpoint: a floor to compare with."""
        result = _wrk(
            self.base_url,
            threads=min(clients, 4),
            connections=clients,
            duration=duration,
            script="stats.lua",
            script_args=[method] if method != "GET" else None,
            path=path,
        )
        return _wrk_run(result)

    def hello(self, *, clients: int, duration: float) -> Run:
        """GET /bench/hello: a request through the server and middleware, no database."""
        return self._floor("/bench/hello", clients=clients, duration=duration)

    def insert(self, *, clients: int, duration: float) -> Run:
        """POST /bench/insert: the write floor, one response-wide row per request."""
        return self._floor("/bench/insert", clients=clients, duration=duration, method="POST")

    def sessions(self, *, clients: int, duration: float) -> Run:
        result = _wrk(
            self.base_url,
            threads=clients,
            connections=clients,
            duration=duration,
            script="respondent.lua",
            script_args=["session", "-", "0", SURVEY_PATH],
        )
        run = _wrk_run(result)
        run.requests = run.sessions
        return run

    def submits(self, *, clients: int, per_client: int) -> tuple[Run, float]:
        """Prepare per_client drafts for each client, then submit them all; return both."""
        prefix = WORK / f"drafts-{clients}"
        for old in WORK.glob(f"drafts-{clients}.*"):
            old.unlink()
        markers = [Path(f"{prefix}.{i}.done") for i in range(clients)]
        started = time.perf_counter()
        prepared = _wrk(
            self.base_url,
            threads=clients,
            connections=clients,
            duration=600,
            script="respondent.lua",
            script_args=["prepare", str(prefix), str(per_client), SURVEY_PATH],
            markers=markers,
            watch=[Path(f"{prefix}.{i}") for i in range(clients)],
            stall_seconds=self.stall_seconds,
        )
        prepare_seconds = time.perf_counter() - started
        for marker in markers:
            marker.unlink(missing_ok=True)
        # Deal the drafts out evenly again: a client whose requests failed prepared fewer.
        drafts = []
        for i in range(clients):
            path = Path(f"{prefix}.{i}")
            drafts += path.read_text().splitlines() if path.exists() else []
        if len(drafts) < clients:
            raise HarnessError(
                f"the wrk respondent prepared only {len(drafts)} drafts for {clients} clients "
                f"({prepared['unexpected']} unexpected answers; the first: "
                f"{prepared.get('first_error') or 'none'})"
            )
        share = len(drafts) // clients
        for i in range(clients):
            Path(f"{prefix}.{i}").write_text(
                "".join(line + "\n" for line in drafts[i * share : (i + 1) * share])
            )
        result = _wrk(
            self.base_url,
            threads=clients,
            connections=clients,
            duration=600,
            script="submit.lua",
            script_args=[str(prefix), SURVEY_PATH],
            markers=markers,
            stall_seconds=self.stall_seconds,
        )
        run = _wrk_run(result, count_key="submitted")
        # Failed requests while preparing drafts are errors of the flow too.
        run.errors += int(prepared["unexpected"] + prepared["socket_errors"])
        run.challenges = int(prepared.get("challenges", 0))
        if not run.first_error:
            run.first_error = str(prepared.get("first_error", ""))
        return run, prepare_seconds


# --- the benchmark -----------------------------------------------------------------------------


def measure(
    *,
    base_url: str,
    clients: list[int] | None = None,
    duration: float = 10.0,
    per_client: int = 50,
    session_clients: int = 16,
    worker: Worker | None = None,
) -> list[Figure]:
    """Measure every submission figure and print each as it comes.

    The worker (and beat) is waited for, then paused while these figures are measured: a submit
    only enqueues work for it, which it does once it runs again.
    """
    load = WrkClient(base_url)
    figures: list[Figure] = []
    if worker is not None:
        waited, share = worker.wait_idle()
        print(f"  (waited {waited:.0f} s for the worker, now at {100 * share:.0f} %)", flush=True)

    def add(figure: Figure, watch: Watch) -> None:
        figure.worker = watch.note()
        figures.append(figure)
        figure_print(figure)

    def watch() -> Watch:
        return Watch(worker, paused=worker is not None)

    with worker.paused() if worker is not None else nullcontext():
        for count in clients or [16, 64]:
            with watch() as hello_watch:
                hello = load.hello(clients=count, duration=duration)
                insert = load.insert(clients=count, duration=duration)
            if not hello.requests or not insert.requests:
                raise HarnessError(
                    f"/bench/hello or /bench/insert answered nothing in {duration:.0f} s "
                    "(BENCH_HELLO off, or no response stored yet to copy the width of?)"
                )
            with watch() as submit_watch:
                submits, prepare_seconds = load.submits(clients=count, per_client=per_client)
            _submission_figures(
                add, count, hello, insert, submits, prepare_seconds, hello_watch, submit_watch
            )
        with watch() as session_watch:
            sessions = load.sessions(clients=session_clients, duration=duration)
    add(
        Figure(
            name=f"full respondent sessions/s, {session_clients} clients",
            value=sessions.rate,
            unit="/s",
            notes=f"13 requests each; {sessions.requests} sessions, {sessions.errors} errors"
            + (f" (first: {sessions.first_error})" if sessions.first_error else ""),
            ok=None if sessions.errors == 0 else False,
        ),
        session_watch,
    )
    return figures


def _submission_figures(
    add: Callable[[Figure, Watch], None],
    count: int,
    hello: Run,
    insert: Run,
    submits: Run,
    prepare_seconds: float,
    hello_watch: Watch,
    submit_watch: Watch,
) -> None:
    add(
        Figure(
            name=f"one-row insert/s, {count} clients",
            value=insert.rate,
            unit="/s",
            baseline=hello.rate,
            baseline_name=f"hello-world requests/s, {count} clients",
            notes=f"the write floor (/bench/insert); p99 {insert.p99_ms:.1f} ms",
        ),
        hello_watch,
    )
    ratio = submits.rate / insert.rate
    add(
        Figure(
            name=f"final submits/s, {count} clients",
            value=submits.rate,
            unit="/s",
            baseline=insert.rate,
            baseline_name=f"one-row insert requests/s, {count} clients",
            target=f"ratio ≥ {RATIO_TARGET}",
            ok=ratio >= RATIO_TARGET,
            notes=f"{submits.requests} submits in {submits.seconds:.1f} s; "
            f"÷ hello {submits.rate / hello.rate:.3f}",
        ),
        submit_watch,
    )
    add(
        Figure(
            name=f"final submit p99, {count} clients",
            value=submits.p99_ms,
            unit="ms",
            baseline=P99_TARGET_MS,
            baseline_name="limit",
            target=f"≤ {P99_TARGET_MS:.0f} ms",
            ok=submits.p99_ms <= P99_TARGET_MS,
            notes=f"p50 {submits.p50_ms:.1f} ms; hello p99 {hello.p99_ms:.1f} ms",
        ),
        submit_watch,
    )
    add(
        Figure(
            name=f"errors, {count} clients",
            value=submits.errors + hello.errors + insert.errors,
            unit="",
            target="0",
            ok=submits.errors + hello.errors + insert.errors == 0,
            notes=f"drafts prepared in {prepare_seconds:.1f} s, "
            f"{submits.challenges} person checks answered"
            + (f"; first: {submits.first_error}" if submits.first_error else ""),
        ),
        submit_watch,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--base-url", default=None, help="default: the scripts/serve stack")
    parser.add_argument("--clients", default="16,64", help="comma-separated client counts")
    parser.add_argument("--duration", type=float, default=10.0, help="seconds per timed run")
    parser.add_argument("--per-client", type=int, default=50, help="drafts per client")
    parser.add_argument("--json", type=Path, default=None, help="write the figures here")
    args = parser.parse_args()
    base_url = args.base_url or stack_env()["SITE_URL"]
    print(f"== submissions against {base_url} (wrk)", flush=True)
    figures = measure(
        base_url=base_url,
        clients=[int(c) for c in args.clients.split(",")],
        duration=args.duration,
        per_client=args.per_client,
        worker=worker_find() if args.base_url is None else None,
    )
    figures_write(args.json, figures)


if __name__ == "__main__":
    main()
