"""Run every benchmark against the local stack with a million responses; record the results.

``make bench`` runs this. It starts (or reuses) the stack of ``scripts/serve``, fills the
``sco-2025`` survey up to ``--responses`` (default 1,000,000) with ``generate_responses``, runs
each ``benchmarks/bench_*.py`` in its own process (each prints its figures with their ratios as it
goes), prints a summary, and appends a dated entry to ``benchmarks/RESULTS.md``. The stack keeps
running afterwards (``make stop`` stops it).

Exit status: 0 when every figure meets its target, 1 when a figure misses one, 2 when the
harness itself broke (a script failed, so some figures were not measured: reported as HARNESS
ERROR, apart from the misses). The gunicorn of the stack trusts loopback as its proxy here, so
that each simulated respondent of the wrk client counts as an address of its own.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.common import (
    ROOT,
    WORK,
    Figure,
    busy_processes,
    figures_read,
    load_average,
    results_append,
    stack_env,
)
from benchmarks.worker import Watch, worker_find

# Each script with the arguments make bench gives it; bench_bootstrap.py prints free text.
# The RDS refresh goes first: it waits for (or takes over) the worker's own refresh of the
# freshly filled survey, after which the worker rests (RDS_REST_FACTOR) through the others.
SCRIPTS = [
    "bench_rds.py",
    "bench_submissions.py",
    "bench_aggregates.py",
    "bench_export.py",
    "bench_dashboards.py",
    "bench_tree.py",
    "bench_api.py",
]
FREE_TEXT = ["bench_bootstrap.py"]


def wrk_ensure() -> None:
    """Install wrk with apt when root and it is missing; otherwise say how."""
    if shutil.which("wrk"):
        return
    if os.geteuid() == 0 and shutil.which("apt-get"):
        print("== installing wrk (apt-get install wrk)", flush=True)
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        if subprocess.run(["apt-get", "install", "-y", "-q", "wrk"], env=env).returncode != 0:
            subprocess.run(["apt-get", "update", "-q"], env=env, check=True)
            subprocess.run(["apt-get", "install", "-y", "-q", "wrk"], env=env, check=True)
        return
    raise SystemExit(
        "wrk is missing: `sudo apt-get install wrk` (Debian), then run make bench again."
    )


def quiet_wait(*, limit: float = 1.0, patience: float = 300.0) -> float:
    """Wait (at most patience seconds) for the 1-minute load average to fall below limit."""
    started = time.monotonic()
    while time.monotonic() - started < patience:
        if float(load_average().split()[0]) < limit:
            break
        time.sleep(5)
    return time.monotonic() - started


def responses_fill(target: int) -> int:
    """Generate responses until the survey holds target; return how many it holds."""
    env = {**os.environ, **stack_env()}
    count = int(
        subprocess.run(
            [
                sys.executable,
                str(ROOT / "manage.py"),
                "shell",
                "-c",
                "from surveys.models import Response; "
                "print(Response.objects.filter(survey__slug='sco-2025').count())",
            ],
            env=env,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.split()[-1]
    )
    if count < target:
        print(f"== generating {target - count:,} responses ({count:,} stored)", flush=True)
        subprocess.run(
            [
                sys.executable,
                str(ROOT / "manage.py"),
                "generate_responses",
                "--n",
                str(target - count),
                "--no-rebuild",
            ],
            env=env,
            check=True,
        )
        count = target
    return count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--responses", type=int, default=1_000_000)
    parser.add_argument("--only", default="", help="comma-separated script names to run")
    parser.add_argument("--no-record", action="store_true", help="do not write RESULTS.md")
    parser.add_argument("--note", action="append", default=[], help="add a note to the entry")
    parser.add_argument(
        "--patience", type=float, default=120.0, help="seconds to wait for a quiet machine"
    )
    args = parser.parse_args()

    wrk_ensure()
    # Loopback stands for the production proxy: the load client names each respondent's address.
    serve_env = {**os.environ, "TRUSTED_PROXIES": os.environ.get("TRUSTED_PROXIES", "127.0.0.1")}
    subprocess.run([str(ROOT / "scripts" / "serve"), "start"], check=True, env=serve_env)
    stored = responses_fill(args.responses)
    WORK.mkdir(parents=True, exist_ok=True)
    worker = worker_find()
    load_before, busy_before = load_average(), busy_processes()
    started = time.perf_counter()

    figures: list[Figure] = []
    failures: list[str] = []
    verbatim = []
    conditions = []
    chosen = [s for s in args.only.split(",") if s]
    for script in SCRIPTS + FREE_TEXT:
        if chosen and script not in chosen:
            continue
        command = [sys.executable, str(ROOT / "benchmarks" / script)]
        # Other work on this shared machine skews timings: wait for a quiet moment first, and
        # for the stack's own Celery worker to be idle (the RDS refresh of a million responses).
        waited = quiet_wait(patience=args.patience)
        worker_waited, worker_share = worker.wait_idle(patience=args.patience) if worker else (0, 0)
        conditions.append(
            f"{script}: load {load_average()} at its start (waited {waited:.0f} s), "
            f"busiest: {busy_processes(3)}; Celery worker at {100 * worker_share:.0f} % of a "
            f"core after waiting {worker_waited:.0f} s for it"
        )
        watch = Watch(worker)
        if script in FREE_TEXT:
            with watch:
                reply = subprocess.run(command, capture_output=True, text=True)
            conditions[-1] += f"; during it: {watch.note()}"
            print(reply.stdout, end="", flush=True)
            verbatim.append(f"$ python benchmarks/{script}\n{reply.stdout}")
            if reply.returncode != 0:
                failures.append(f"{script}: {reply.stderr.strip()[-500:]}")
            continue
        output = WORK / (script.removesuffix(".py") + ".json")
        output.unlink(missing_ok=True)
        with watch:
            reply = subprocess.run(
                [*command, "--json", str(output)], stderr=subprocess.PIPE, text=True
            )
        print(reply.stderr, end="", file=sys.stderr, flush=True)
        if reply.returncode != 0 or not output.exists():
            failures.append(f"{script}: {_last_line(reply.stderr) or 'no figures written'}")
            continue
        for figure in figures_read(output):
            # A script that does not watch each figure itself gets the share over its whole run.
            figure.worker = figure.worker or f"{watch.note()} over {script}"
            figures.append(figure)

    minutes = (time.perf_counter() - started) / 60
    print("\n== summary", flush=True)
    for figure in figures:
        print("  " + figure.line())
    missed = [f.name for f in figures if f.ok is False]
    print(f"  {len(figures) - len(missed)} of {len(figures)} figures meet their target")
    for failure in failures:
        print("  HARNESS ERROR (not measured): " + failure)
    if not args.no_record:
        notes = [
            f"responses in sco-2025 at the start: {stored:,}",
            f"load average before: {load_before} (busiest processes: {busy_before}); "
            f"after: {load_average()}",
            f"duration: {minutes:.1f} min",
            *conditions,
            *args.note,
            *(f"HARNESS ERROR (not measured): {failure}" for failure in failures),
        ]
        results_append(
            figures=figures, command="make bench", notes=notes, verbatim="\n".join(verbatim)
        )
        print(f"  appended to {Path('benchmarks/RESULTS.md')}")
    raise SystemExit(exit_status(missed=missed, failures=failures))


def exit_status(*, missed: list[str], failures: list[str]) -> int:
    """Return 2 when the harness broke, else 1 when a figure missed its target, else 0."""
    if failures:
        return 2
    return 1 if missed else 0


def _last_line(text: str) -> str:
    lines = [line for line in text.strip().splitlines() if line.strip()]
    return lines[-1].strip() if lines else ""


if __name__ == "__main__":
    main()
