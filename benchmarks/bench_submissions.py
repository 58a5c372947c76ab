"""Final submits per second against a hello-world view on the same gunicorn, and full sessions.

Run against the local stack (``make serve`` first, or ``make bench``)::

    .venv/bin/python benchmarks/bench_submissions.py [--clients 16,64] [--duration 10]

Every simulated client does the real flow: GET the consent page (CSRF cookie), POST consent
(session cookie, draft), POST each page. Drafts are prepared that way beforehand, one per final
submit, so that the measured requests are final submits alone: each stores a new response.

Figures: final submits/s at each client count and its ratio to ``/bench/hello`` requests/s
at the same client count (target at least 0.15), the submits' p50 and p99 (target p99 at most
250 ms), errors (target none), and whole respondent sessions per second (13 requests each).

The load client runs on the same two cores as the server. ``wrk`` (C, event-driven, Lua for the
flow) is used when installed, so that the client takes a few percent of the CPU; without it,
``--client python`` runs a thread-per-client ``http.client`` load generator, which is good
enough for the smoke test but takes CPU from the server and understates the figures.
"""

from __future__ import annotations

import argparse
import json
import math
import shutil
import signal
import statistics
import subprocess
import sys
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.common import WORK, Figure, figure_print, figures_write, stack_env
from tests.respondent_client import RespondentBrowser

WRK_DIR = Path(__file__).resolve().parent / "wrk"
RATIO_TARGET = 0.15
P99_TARGET_MS = 250.0
STALL_SECONDS = 30.0
SURVEY_PATH = "/en/s/sco-2025/"

# One set of answers per page of the SCO questionnaire, as the form posts them.
PAGES: list[list[tuple[str, str]]] = [
    [
        ("awareness", "partially"),
        ("impact", "moderately_positive"),
        ("initiatives", "not_familiar"),
    ],
    [("platforms", "telegram"), ("platforms", "youtube"), ("trust", "rather_yes")],
    [("threats", "disinformation"), ("conflict_prevention", "fast_exchange")],
    [
        ("country", "kz"),
        ("age_group", "under_30"),
        ("gender", "female"),
        ("status", "student"),
        ("sphere", "education"),
    ],
    [("network_size", "40")],
]


@dataclass
class Run:
    """What one load run measured."""

    requests: int
    seconds: float
    errors: int
    latencies_ms: list[float] = field(default_factory=list)
    p50_ms: float = 0.0
    p99_ms: float = 0.0
    sessions: int = 0

    @property
    def rate(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def percentiles(self) -> Run:
        if self.latencies_ms:
            ordered = sorted(self.latencies_ms)
            self.p50_ms = statistics.median(ordered)
            self.p99_ms = ordered[min(len(ordered) - 1, math.ceil(0.99 * len(ordered)) - 1)]
        return self


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
        # when the last threads have made no progress for a while (their requests fail).
        done, last_change = 0, time.monotonic()
        while process.poll() is None:
            now_done = sum(m.exists() for m in markers)
            if now_done == len(markers):
                break
            if now_done != done:
                done, last_change = now_done, time.monotonic()
            elif done and time.monotonic() - last_change > STALL_SECONDS:
                break
            time.sleep(0.1)
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=duration + 60)
    for line in out.splitlines():
        if line.startswith("RESULT "):
            return json.loads(line[len("RESULT ") :])
    raise RuntimeError(f"wrk printed no result:\n{out}\n{err}")


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
    )


class WrkClient:
    """Load runs with wrk and the Lua scripts in benchmarks/wrk/."""

    def __init__(self, base_url: str) -> None:
        if shutil.which("wrk") is None:
            raise SystemExit(
                "wrk is not installed: apt-get install wrk (make bench installs it as root), "
                "or run with --client python."
            )
        self.base_url = base_url
        WORK.mkdir(parents=True, exist_ok=True)

    def hello(self, *, clients: int, duration: float) -> Run:
        result = _wrk(
            self.base_url,
            threads=min(clients, 4),
            connections=clients,
            duration=duration,
            script="stats.lua",
            path="/bench/hello",
        )
        return _wrk_run(result)

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
            raise RuntimeError(f"only {len(drafts)} drafts prepared for {clients} clients")
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
        )
        run = _wrk_run(result, count_key="submitted")
        # Failed requests while preparing drafts are errors of the flow too.
        run.errors += int(prepared["unexpected"] + prepared["socket_errors"])
        return run, prepare_seconds


# --- Python threads ----------------------------------------------------------------------------


class Browser(RespondentBrowser):
    """One respondent's connection and cookies, answering with status codes."""

    def status(self, method: str, path: str, form: list[tuple[str, str]] | None = None) -> int:
        """Send one request; return its status code."""
        self.statuses.clear()  # thousands of requests per browser: keep no history
        return self.request(method, path, form).status

    def answer(self, number: int, *, action: str) -> bool:
        form = [*PAGES[number - 1], ("action", action)]
        return self.status("POST", f"{SURVEY_PATH}p/{number}/", form) == 302

    def prepare(self) -> bool:
        """Consent and answer every page but the last; return whether all went as expected."""
        ok = self.status("GET", SURVEY_PATH) == 200
        ok &= self.status("POST", SURVEY_PATH, [("consent", "on")]) == 302
        for number in range(1, len(PAGES)):
            ok &= self.answer(number, action="next")
        return ok

    def submit(self) -> bool:
        return self.answer(len(PAGES), action="submit")

    def session(self) -> bool:
        """Do a whole session as a browser does, following every redirect (13 requests)."""
        self.cookies.clear()
        self.user_agent = f"respondent-client/{uuid.uuid4().hex}"
        ok = self.status("GET", SURVEY_PATH) == 200
        ok &= self.status("POST", SURVEY_PATH, [("consent", "on")]) == 302
        for number in range(1, len(PAGES) + 1):
            ok &= self.status("GET", f"{SURVEY_PATH}p/{number}/") == 200
            ok &= self.answer(number, action="submit" if number == len(PAGES) else "next")
        return ok and self.status("GET", f"{SURVEY_PATH}thanks/") == 200


def _threads(count: int, work) -> float:
    threads = [threading.Thread(target=work, args=(i,)) for i in range(count)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return time.perf_counter() - started


class PythonClient:
    """Load runs with one thread and one connection per simulated client."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url

    def hello(self, *, clients: int, duration: float) -> Run:
        latencies: list[float] = []
        errors = [0]
        deadline = time.perf_counter() + duration

        def work(_: int) -> None:
            browser = Browser(self.base_url)
            while time.perf_counter() < deadline:
                started = time.perf_counter()
                status = browser.status("GET", "/bench/hello")
                latencies.append((time.perf_counter() - started) * 1000)
                if status != 200:
                    errors[0] += 1

        seconds = _threads(clients, work)
        return Run(len(latencies), seconds, errors[0], latencies).percentiles()

    def sessions(self, *, clients: int, duration: float) -> Run:
        done = [0]
        errors = [0]
        deadline = time.perf_counter() + duration

        def work(_: int) -> None:
            browser = Browser(self.base_url)
            while time.perf_counter() < deadline:
                if browser.session():
                    done[0] += 1
                else:
                    errors[0] += 1

        seconds = _threads(clients, work)
        return Run(done[0], seconds, errors[0], sessions=done[0])

    def submits(self, *, clients: int, per_client: int) -> tuple[Run, float]:
        browsers: list[list[Browser]] = [[] for _ in range(clients)]
        errors = [0]

        def prepare(i: int) -> None:
            for _ in range(per_client):
                browser = Browser(self.base_url)
                if not browser.prepare():
                    errors[0] += 1
                browsers[i].append(browser)

        prepare_seconds = _threads(clients, prepare)
        latencies: list[float] = []

        def submit(i: int) -> None:
            for browser in browsers[i]:
                started = time.perf_counter()
                ok = browser.submit()
                latencies.append((time.perf_counter() - started) * 1000)
                if not ok:
                    errors[0] += 1

        seconds = _threads(clients, submit)
        return Run(len(latencies), seconds, errors[0], latencies).percentiles(), prepare_seconds


# --- the benchmark -----------------------------------------------------------------------------


def measure(
    *,
    base_url: str,
    client: str = "wrk",
    clients: list[int] | None = None,
    duration: float = 10.0,
    per_client: int = 50,
    session_clients: int = 16,
) -> list[Figure]:
    """Measure every submission figure and print each as it comes."""
    load = WrkClient(base_url) if client == "wrk" else PythonClient(base_url)
    figures: list[Figure] = []

    def add(figure: Figure) -> None:
        figures.append(figure)
        figure_print(figure)

    for count in clients or [16, 64]:
        hello = load.hello(clients=count, duration=duration)
        submits, prepare_seconds = load.submits(clients=count, per_client=per_client)
        ratio = submits.rate / hello.rate if hello.rate else 0.0
        add(
            Figure(
                name=f"final submits/s, {count} clients",
                value=submits.rate,
                unit="/s",
                baseline=hello.rate,
                baseline_name=f"hello-world requests/s, {count} clients",
                target=f"ratio ≥ {RATIO_TARGET}",
                ok=ratio >= RATIO_TARGET,
                notes=f"{submits.requests} submits in {submits.seconds:.1f} s",
            )
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
            )
        )
        add(
            Figure(
                name=f"errors, {count} clients",
                value=submits.errors + hello.errors,
                unit="",
                target="0",
                ok=submits.errors + hello.errors == 0,
                notes=f"drafts prepared in {prepare_seconds:.1f} s",
            )
        )
    sessions = load.sessions(clients=session_clients, duration=duration)
    add(
        Figure(
            name=f"full respondent sessions/s, {session_clients} clients",
            value=sessions.rate,
            unit="/s",
            notes=f"13 requests each; {sessions.requests} sessions, {sessions.errors} errors",
            ok=None if sessions.errors == 0 else False,
        )
    )
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--base-url", default=None, help="default: the scripts/serve stack")
    parser.add_argument("--client", choices=["wrk", "python"], default="wrk")
    parser.add_argument("--clients", default="16,64", help="comma-separated client counts")
    parser.add_argument("--duration", type=float, default=10.0, help="seconds per timed run")
    parser.add_argument("--per-client", type=int, default=50, help="drafts per client")
    parser.add_argument("--json", type=Path, default=None, help="write the figures here")
    args = parser.parse_args()
    base_url = args.base_url or stack_env()["SITE_URL"]
    print(f"== submissions against {base_url} ({args.client})", flush=True)
    figures = measure(
        base_url=base_url,
        client=args.client,
        clients=[int(c) for c in args.clients.split(",")],
        duration=args.duration,
        per_client=args.per_client,
    )
    figures_write(args.json, figures)


if __name__ == "__main__":
    main()
