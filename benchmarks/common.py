"""What every benchmark shares: the local stack's settings, figures with ratios, the results log.

A figure is measured against a limit measured in the same run (a baseline), because this
machine is shared and absolute timings are noisy: the ratio is what a target is about.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shlex
import subprocess
import sys
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "RESULTS.md"
WORK = ROOT / "var" / "bench"
# The small copy the page benchmarks compare with: 1,000 responses in 30 chains.
# The 1,000-response copy: flagged as generate_responses flags the big survey (FLAGGED_SHARE).
SMALL_SLUG = "sco-2025-bench-1k-30-flagged"
SMALL_SEEDS = 30


class HarnessError(RuntimeError):
    """The benchmark could not measure (its client or set-up broke): no figure, not a miss."""


@dataclass
class Figure:
    """One measured figure, the baseline it is compared with, and its target."""

    name: str
    value: float
    unit: str
    baseline: float | None = None
    baseline_name: str = ""
    target: str = ""
    # ratio = value / baseline; ok tells whether the target is met (None: no target).
    ok: bool | None = None
    notes: str = ""
    extra: dict[str, Any] = field(default_factory=dict)
    # What the Celery worker did meanwhile (benchmarks.worker.Watch.note).
    worker: str = ""

    @property
    def ratio(self) -> float | None:
        if self.baseline in (None, 0):
            return None
        return self.value / self.baseline

    def line(self) -> str:
        """Return the figure as one printable line."""
        text = f"{self.name}: {_number(self.value)} {self.unit}"
        if self.baseline is not None:
            text += f" | {self.baseline_name}: {_number(self.baseline)}"
            if self.ratio is not None:
                text += f" | ratio {self.ratio:.3f}"
        if self.target:
            verdict = {True: "MEETS", False: "MISSES", None: ""}[self.ok]
            text += f" | target {self.target} {verdict}".rstrip()
        if self.notes:
            text += f" ({self.notes})"
        if self.worker:
            text += f" [{self.worker}]"
        return text

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["ratio"] = self.ratio
        return data


def _number(value: float) -> str:
    if float(value).is_integer() and abs(value) < 100:
        return f"{int(value)}"
    if abs(value) >= 100:
        return f"{value:,.0f}"
    if abs(value) >= 1:
        return f"{value:.2f}"
    return f"{value:.4f}"


def figure_print(figure: Figure) -> None:
    """Print a figure as soon as it is measured."""
    print("  " + figure.line(), flush=True)


def figures_write(path: Path | None, figures: list[Figure]) -> None:
    """Write figures as JSON for benchmarks/run.py to collect."""
    if path is not None:
        path.write_text(json.dumps([f.as_dict() for f in figures], indent=1))


def figures_read(path: Path) -> list[Figure]:
    data = json.loads(path.read_text())
    return [Figure(**{k: v for k, v in item.items() if k != "ratio"}) for item in data]


def stack_env() -> dict[str, str]:
    """Return the environment of the stack that scripts/serve runs (starting nothing)."""
    reply = subprocess.run(
        [str(ROOT / "scripts" / "serve"), "env"], capture_output=True, text=True, check=True
    )
    env = {}
    for line in reply.stdout.splitlines():
        if line.startswith("export "):
            name, _, value = line[len("export ") :].partition("=")
            env[name] = shlex.split(value)[0] if value else ""
    return env


def django_setup(env: dict[str, str] | None = None) -> None:
    """Configure Django in this process against the stack's database."""
    for name, value in (env or {}).items():
        os.environ[name] = value
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def git_commit() -> str:
    try:
        reply = subprocess.run(
            ["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            check=True,
        )
        dirty = subprocess.run(
            ["git", "-C", str(ROOT), "status", "--porcelain", "--untracked-files=no"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return reply.stdout.strip() + (" + uncommitted changes" if dirty else "")


def machine() -> str:
    """Describe the machine: CPU model and count, memory, OS, Python, PostgreSQL."""
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = ""
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                memory = f"{int(line.split()[1]) / 1024 / 1024:.0f} GiB"
                break
    except OSError:
        pass
    os_name = platform.platform(terse=True)
    try:
        for line in Path("/etc/os-release").read_text().splitlines():
            if line.startswith("PRETTY_NAME="):
                os_name = line.split("=", 1)[1].strip('"')
    except OSError:
        pass
    return f"{os.cpu_count()} x {cpu}, {memory}, {os_name}, Python {platform.python_version()}"


def load_average() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "?"


def busy_processes(limit: int = 5) -> str:
    """Name the processes using the most CPU right now, so that a noisy run says why."""
    try:
        reply = subprocess.run(
            ["top", "-b", "-n", "1", "-w", "200"], capture_output=True, text=True, check=True
        )
    except (OSError, subprocess.CalledProcessError):
        return "?"
    lines = reply.stdout.splitlines()
    header = next((n for n, line in enumerate(lines) if line.lstrip().startswith("PID")), None)
    if header is None:
        return "?"
    busy = []
    for line in lines[header + 1 :]:
        fields = line.split()
        if len(fields) >= 12 and float(fields[8]) >= 5.0:
            busy.append(f"{fields[11]} {float(fields[8]):.0f}%")
    return ", ".join(busy[:limit]) or "nothing above 5%"


def results_append(
    *, figures: list[Figure], command: str, notes: list[str], verbatim: str = ""
) -> None:
    """Append a dated entry (machine, commit, command, figures) to benchmarks/RESULTS.md."""
    now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        "",
        f"## {now}",
        "",
        f"- machine: {machine()}",
        f"- commit: {git_commit()}",
        f"- command: `{command}`",
    ]
    lines += [f"- {note}" for note in notes]
    lines += [
        "",
        "| figure | value | baseline (same run) | ratio | target | verdict | Celery worker |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for f in figures:
        baseline = f"{f.baseline_name}: {_number(f.baseline)}" if f.baseline is not None else ""
        ratio = f"{f.ratio:.3f}" if f.ratio is not None else ""
        verdict = {True: "meets", False: "**misses**", None: ""}[f.ok]
        value = f"{_number(f.value)} {f.unit}"
        if f.notes:
            value += f" ({f.notes})"
        lines.append(
            f"| {f.name} | {value} | {baseline} | {ratio} | {f.target} | {verdict} | {f.worker} |"
        )
    if verbatim:
        lines += ["", "```", verbatim.rstrip(), "```"]
    if not RESULTS.exists():
        RESULTS.write_text(RESULTS_HEADER)
    with RESULTS.open("a") as handle:
        handle.write("\n".join(lines) + "\n")


RESULTS_HEADER = """# Benchmark results

Entries are appended by `make bench` (`benchmarks/run.py`), newest last. Each figure is printed
with its ratio to a limit measured in the same run on the same machine, because absolute timings
on a shared 2-core machine are noisy. How each figure is measured: the "Benchmarks" section
of the README and the docstring of each `benchmarks/bench_*.py`.
"""


class PageFailed(RuntimeError):
    """A benchmarked page answered something else than 200 (e.g. 500 after gunicorn's timeout)."""

    def __init__(self, url: str, status: int, milliseconds: float) -> None:
        super().__init__(f"GET {url} answered {status} after {milliseconds:,.0f} ms")
        self.status = status
        self.milliseconds = milliseconds


def timed_gets(
    url: str, *, cookies: dict[str, str], count: int, headers: dict[str, str] | None = None
) -> list[float]:
    """GET url count times, one after the other; return each time in ms (non-200 raises)."""
    import http.client
    import time
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    header = "; ".join(f"{name}={value}" for name, value in cookies.items())
    times = []
    for _ in range(count):
        connection = http.client.HTTPConnection(parts.hostname, parts.port or 80, timeout=60)
        started = time.perf_counter()
        connection.request("GET", path, headers={"Cookie": header, **(headers or {})})
        reply = connection.getresponse()
        body = reply.read()
        times.append((time.perf_counter() - started) * 1000)
        connection.close()
        if reply.status != 200 or not body:
            raise PageFailed(url, reply.status, times[-1])
    return times


def staff_cookies(*, surveys: list[Any]) -> dict[str, str]:
    """Return session cookies of a benchmark user, organizer and analyst of these surveys."""
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Permission
    from django.test import Client

    from membership.models import Role
    from membership.services import membership_add

    user, _ = get_user_model().objects.get_or_create(
        username="benchmark-staff", defaults={"is_staff": True}
    )
    user.user_permissions.add(
        *Permission.objects.filter(
            content_type__app_label="surveys", codename__in=["organizer", "analyst"]
        )
    )
    # Staff see only the studies they are members of.
    for survey in surveys:
        for role in (Role.ORGANIZER, Role.ANALYST):
            membership_add(survey=survey, user=user, role=role)
    client = Client()
    # Named: the first backend with get_user is the login guard's, which finds nobody.
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return {settings.SESSION_COOKIE_NAME: client.cookies[settings.SESSION_COOKIE_NAME].value}


def small_survey(
    *, slug: str, responses: int, seeds: int | None = None, flagged_share: float = 0.0
) -> Any:
    """Return a copy of the shipped questionnaire under slug holding exactly that many responses
    (``flagged_share`` of them flagged, as generate_responses flags its own)."""
    from sampledata.bulk import responses_generate
    from surveys.models import Survey
    from surveys.questionnaire.loader import (
        questionnaire_load,
        questionnaire_read,
        shipped_questionnaires,
    )

    survey = Survey.objects.filter(slug=slug).first()
    if survey is None:
        (path,) = [p for p in shipped_questionnaires() if p.stem == "sco-2025"]
        data = questionnaire_read(path=path)
        data["slug"] = slug
        survey = questionnaire_load(data=data)
    missing = responses - survey.responses.count()
    if missing > 0:
        responses_generate(
            survey=survey, n=missing, seeds=seeds, seed=7, flagged_share=flagged_share
        )
    return survey


def median(values: list[float]) -> float:
    import statistics

    return statistics.median(values)


def two_sizes_main(
    *, doc: str, title: str, measure: Callable[..., list[Figure]], requests: int
) -> None:
    """Run a page benchmark from the command line: the big survey against the small copy."""
    parser = argparse.ArgumentParser(description=doc.split("\n\n")[0])
    parser.add_argument("--survey", default="sco-2025")
    parser.add_argument("--requests", type=int, default=requests)
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args()
    env = stack_env()
    django_setup(env)
    from sampledata.bulk import FLAGGED_SHARE
    from surveys.models import Survey

    big = Survey.objects.get(slug=args.survey)
    small = small_survey(
        slug=SMALL_SLUG, responses=1_000, seeds=SMALL_SEEDS, flagged_share=FLAGGED_SHARE
    )
    print(f"== {title} of {big.slug} and {small.slug}", flush=True)
    figures = measure(base_url=env["SITE_URL"], big=big, small=small, requests=args.requests)
    figures_write(args.json, figures)
