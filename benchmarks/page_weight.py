"""The weight of every respondent page, as a browser with an empty cache would load it.

Run from the repository's root (a throwaway SQLite database is created and dropped)::

    .venv/bin/python benchmarks/page_weight.py [--language ru] [--record]

For each page (consent, every questionnaire page, thank-you, the link pages) it prints the
requests (the HTML and every stylesheet and script it links), their bytes uncompressed and
gzip-compressed (level 6, as a reverse proxy would send them). ``--record`` appends the table to
``benchmarks/RESULTS.md`` with the date and commit. ``tests/system/test_page_weight.py`` holds
the cold consent page to its limit with the same measure.
"""

from __future__ import annotations

import argparse
import gzip
import os
import re
import sys
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

# A stylesheet link or a script: the only sub-resources the pages load (images are inline SVG).
ASSET = re.compile(r'<(?:link[^>]*rel="stylesheet"[^>]*href|script[^>]*src)="([^"]+)"')
# The limit of the issue for the cold consent page, uncompressed.
CONSENT_LIMIT = 100_000


@dataclass(frozen=True)
class PageWeight:
    """What one page costs a browser with an empty cache."""

    name: str
    requests: int
    size: int
    compressed: int
    assets: tuple[str, ...]


def _gzipped(content: bytes) -> int:
    return len(gzip.compress(content, compresslevel=6, mtime=0))


def asset_content(*, url: str) -> bytes:
    """Return the bytes of a static file the page links, found as the dev server finds it."""
    from django.conf import settings
    from django.contrib.staticfiles import finders

    prefix = "/" + settings.STATIC_URL.lstrip("/")
    if not url.startswith(prefix):
        raise ValueError(f"{url} is not a static file under {prefix}")
    found = finders.find(url[len(prefix) :].split("?")[0])
    if not found:
        raise FileNotFoundError(url)
    return Path(found).read_bytes()


def page_weight(*, name: str, html: bytes) -> PageWeight:
    """Return the weight of one page's HTML and every stylesheet and script it links."""
    urls = tuple(dict.fromkeys(ASSET.findall(html.decode())))
    contents = [html, *(asset_content(url=url) for url in urls)]
    return PageWeight(
        name=name,
        requests=len(contents),
        size=sum(len(content) for content in contents),
        compressed=sum(_gzipped(content) for content in contents),
        assets=urls,
    )


def _get(client: Any, path: str, *, status: int = 200) -> bytes:
    reply = client.get(path)
    if reply.status_code != status:
        raise AssertionError(f"GET {path}: {reply.status_code}, expected {status}")
    return reply.content


def respondent_pages(*, survey: Any, language: str) -> list[PageWeight]:
    """Walk one respondent through the survey and the link pages; return each page's weight."""
    from django.test import Client
    from django.utils import timezone

    from surveys.models import SeedLink
    from tests.flow import SCO_ANSWERS, page_data

    client = Client()
    base = f"/{language}/s/{survey.slug}/"
    weights = [page_weight(name="consent", html=_get(client, base))]
    client.post(base, {"consent": "on"})
    total = len(survey.ordered_pages())
    for number in range(1, total + 1):
        html = _get(client, f"{base}p/{number}/")
        weights.append(page_weight(name=f"questionnaire page {number}", html=html))
        action = "submit" if number == total else "next"
        client.post(
            f"{base}p/{number}/", {"action": action, **page_data(survey, number, SCO_ANSWERS)}
        )
    weights.append(page_weight(name="thank-you", html=_get(client, f"{base}thanks/")))
    used_up = SeedLink.objects.create(survey=survey, label="weight: used up", coupon_limit=0)
    expired = SeedLink.objects.create(
        survey=survey, label="weight: expired", expires_at=timezone.now() - timedelta(days=1)
    )
    links = [
        ("link: enter a code", f"/{language}/r/", 200),
        ("link: used up", f"/{language}/r/{used_up.code}/", 410),
        ("link: expired", f"/{language}/r/{expired.code}/", 410),
        ("link: invalid", f"/{language}/r/NOSUCHCODE/", 404),
    ]
    for name, path, status in links:
        weights.append(page_weight(name=name, html=_get(Client(), path, status=status)))
    return weights


def weights_table(*, weights: list[PageWeight]) -> str:
    """Return the weights as a Markdown table."""
    lines = [
        "| page | requests | bytes | gzip bytes |",
        "| --- | ---: | ---: | ---: |",
    ]
    lines += [f"| {w.name} | {w.requests} | {w.size:,} | {w.compressed:,} |" for w in weights]
    return "\n".join(lines)


def _measure(*, language: str) -> list[PageWeight]:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.db import connection
    from django.test.utils import setup_test_environment

    from surveys.questionnaire.loader import (
        questionnaire_load,
        questionnaire_read,
        shipped_questionnaires,
    )

    setup_test_environment()
    name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        (path,) = [p for p in shipped_questionnaires() if p.stem == "sco-2025"]
        survey = questionnaire_load(data=questionnaire_read(path=path))
        return respondent_pages(survey=survey, language=language)
    finally:
        connection.creation.destroy_test_db(name, verbosity=0)


def main() -> None:
    """Print every respondent page's weight; with --record, append it to RESULTS.md."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--language", default="ru", choices=["ru", "kk", "en"])
    parser.add_argument("--record", action="store_true", help="append to benchmarks/RESULTS.md")
    args = parser.parse_args()
    table = weights_table(weights=_measure(language=args.language))
    print(table)
    if args.record:
        from benchmarks.common import RESULTS, git_commit

        stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
        with RESULTS.open("a", encoding="utf-8") as results:
            results.write(
                f"\n## {stamp}: respondent page weight\n\n"
                f"- commit: {git_commit()}\n"
                f"- command: `.venv/bin/python benchmarks/page_weight.py --language {args.language}"
                " --record`\n"
                "- a browser with an empty cache: the HTML plus every stylesheet and script; "
                f"limit for the consent page {CONSENT_LIMIT:,} bytes uncompressed\n\n"
                f"{table}\n"
            )


if __name__ == "__main__":
    main()
