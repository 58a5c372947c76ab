"""The wide CSV export with labels against PostgreSQL's own COPY of the same rows.

Run against the local stack's PostgreSQL (``make serve`` first, or ``make bench``)::

    .venv/bin/python benchmarks/bench_export.py [--labels en]

Figures:

- time of ``manage.py export_csv responses --labels en`` writing every response of the survey to a
  file (a separate process, as an analyst's export task is), against ``psql -c "COPY (SELECT …)
  TO STDOUT WITH CSV"`` writing the same rows' stored columns to a file: target at most 2 times;
- the exporting process's peak resident memory (``wait4`` rusage): target at most 256 MB.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.common import (
    ROOT,
    WORK,
    Figure,
    django_setup,
    figure_print,
    figures_write,
    stack_env,
)

RATIO_TARGET = 2.0
MEMORY_TARGET_MB = 256.0


def _psql() -> str:
    found = shutil.which("psql")
    if found:
        return found
    candidates = sorted(Path("/usr/lib/postgresql").glob("*/bin/psql"))
    if not candidates:
        raise SystemExit("psql not found: install postgresql-client (or postgresql-15)")
    return str(candidates[-1])


def _run(command: list[str], *, env: dict[str, str], output: Path) -> tuple[float, float]:
    """Run a command with stdout to a file; return its wall time (s) and peak RSS (MB)."""
    with output.open("wb") as stream:
        started = time.perf_counter()
        process = subprocess.Popen(command, stdout=stream, stderr=subprocess.PIPE, env=env)
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    error = process.stderr.read().decode() if process.stderr else ""
    if process.returncode != 0:
        raise RuntimeError(f"{command[0]} failed ({process.returncode}): {error[-2000:]}")
    return seconds, usage.ru_maxrss / 1024  # ru_maxrss is in KiB on Linux


def _database_args() -> list[str]:
    from django.db import connection

    s = connection.settings_dict
    return [
        "-h",
        s["HOST"] or "127.0.0.1",
        "-p",
        str(s["PORT"] or 5432),
        "-U",
        s["USER"],
        s["NAME"],
    ]


def _database_url() -> str:
    from django.db import connection

    s = connection.settings_dict
    password = f":{s['PASSWORD']}" if s["PASSWORD"] else ""
    host = s["HOST"] or "127.0.0.1"
    return f"postgres://{s['USER']}{password}@{host}:{s['PORT'] or 5432}/{s['NAME']}"


def measure(*, survey: Any, labels: str = "en", repeats: int = 1) -> list[Figure]:
    """Measure the export figures for the survey and print each as it comes."""
    from surveys.models import Response

    WORK.mkdir(parents=True, exist_ok=True)
    rows = Response.objects.filter(survey=survey, withdrawn_at__isnull=True).count()
    # DEBUG off, as in production: the export process must not keep a log of its queries.
    env = {**os.environ, "DATABASE_URL": _database_url(), "DEBUG": "false"}
    export_file = WORK / "export.csv"
    copy_file = WORK / "copy.csv"
    export_command = [
        sys.executable,
        str(ROOT / "manage.py"),
        "export_csv",
        "responses",
        "--survey",
        survey.slug,
        "--labels",
        labels,
    ]
    select = (
        "SELECT id, submitted_at, started_at, language, wave, recruiter_id, seed_link_id, "
        "network_size, quality_flags, answers, other_texts FROM surveys_response "
        f"WHERE survey_id = {int(survey.pk)} AND withdrawn_at IS NULL ORDER BY id"
    )
    copy_command = [
        _psql(),
        "-X",
        "-q",
        *_database_args(),
        "-c",
        f"COPY ({select}) TO STDOUT WITH CSV",
    ]
    exports, copies, memory = [], [], 0.0
    for _ in range(repeats):
        seconds, peak = _run(copy_command, env=env, output=copy_file)
        copies.append(seconds)
        seconds, peak = _run(export_command, env=env, output=export_file)
        exports.append(seconds)
        memory = max(memory, peak)
    exported_rows = _count_rows(export_file)
    copied_rows = _count_rows(copy_file)
    export_file.unlink(missing_ok=True)
    copy_file.unlink(missing_ok=True)
    if exported_rows != rows + 1 or copied_rows != rows:
        raise RuntimeError(
            f"expected {rows} rows: the export wrote {exported_rows - 1}, COPY {copied_rows}"
        )
    figures = [
        Figure(
            name=f"wide CSV export with labels ({labels}), {rows:,} responses",
            value=min(exports),
            unit="s",
            baseline=min(copies),
            baseline_name="psql COPY (SELECT …) TO STDOUT WITH CSV",
            target=f"ratio ≤ {RATIO_TARGET}",
            ok=min(exports) / min(copies) <= RATIO_TARGET,
            notes=f"best of {repeats}",
        ),
        Figure(
            name="export process peak memory",
            value=memory,
            unit="MB",
            baseline=MEMORY_TARGET_MB,
            baseline_name="limit (MB)",
            target=f"≤ {MEMORY_TARGET_MB:.0f} MB",
            ok=memory <= MEMORY_TARGET_MB,
            notes="peak RSS of the manage.py export_csv process",
        ),
    ]
    for figure in figures:
        figure_print(figure)
    return figures


def _count_rows(path: Path) -> int:
    """Count CSV records (quoted newlines inside fields are not record ends)."""
    import csv

    with path.open(newline="", encoding="utf-8-sig") as stream:
        return sum(1 for _ in csv.reader(stream))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--survey", default="sco-2025")
    parser.add_argument("--labels", default="en", choices=["codes", "ru", "kk", "en"])
    parser.add_argument("--repeats", type=int, default=1)
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args()
    env = stack_env()
    os.environ.update(env)
    django_setup(env)
    from surveys.models import Survey

    survey = Survey.objects.get(slug=args.survey)
    print(f"== CSV export of {survey.slug}", flush=True)
    figures_write(args.json, measure(survey=survey, labels=args.labels, repeats=args.repeats))


if __name__ == "__main__":
    main()
