"""axe-core finds no serious or critical violation on any page, in Russian, Kazakh and English."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.template.loader import render_to_string
from django.utils import translation

from aggregates.rebuild import aggregates_rebuild
from surveys.models import QuestionRole, Response, SeedLink, Survey
from tests.fixtures.browser import log_in_browser
from tests.fixtures.staff import staff_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# axe-core 4.14.1 from the npm registry (MPL-2.0), rebuilt by scripts/build-static.
AXE = Path(__file__).resolve().parents[1] / "data" / "axe" / "axe.min.js"
LANGUAGES = ["ru", "kk", "en"]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"
# Best practices (landmarks, headings) are advice; the WCAG A/AA rules are the bar.
RUN = """async () => {
  const result = await axe.run(document, {runOnly: {type: "tag",
    values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]}});
  return result.violations.filter(v => v.impact === "serious" || v.impact === "critical")
    .map(v => ({id: v.id, impact: v.impact,
                nodes: v.nodes.slice(0, 8).map(n => n.target.join(" ") + " " + n.failureSummary)}));
}"""


def _audit(page: Any, where: str, found: list[str]) -> None:
    if where.startswith("en "):
        # Kept for a person to look at: the pages as the subset CSS draws them.
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        name = "".join(c if c.isalnum() else "-" for c in where)
        page.screenshot(path=str(SCREENSHOTS / f"axe-{name}.png"), full_page=True)
    page.add_script_tag(path=str(AXE))
    for violation in page.evaluate(RUN):
        found.append(f"{where}: {violation['id']} ({violation['impact']}) {violation['nodes']}")


def _visit(page: Any, url: str, where: str, found: list[str]) -> None:
    page.goto(url)
    _audit(page, where, found)


def _respondent_pages(page: Any, base: str, language: str, found: list[str]) -> None:
    survey = f"{base}/{language}/s/sco-2025/"
    _visit(page, survey, f"{language} consent", found)
    page.check("#id_consent")
    page.click("#start")
    page.wait_for_url("**/p/1/")
    _audit(page, f"{language} questionnaire page", found)
    # Skip the browser's own required-field check so that the server's error page is shown.
    page.evaluate("document.querySelectorAll('form').forEach(f => f.noValidate = true)")
    page.click("button.btn-primary[value=next]")
    page.wait_for_load_state()
    _audit(page, f"{language} page with errors", found)


def _thanks_page(page: Any, base: str, language: str, found: list[str]) -> None:
    """Open a thank-you page of a finished response through the session the survey keeps."""
    from tests.fixtures.recruitment import respondent_client
    from tests.flow import complete_survey

    survey = Survey.objects.get(slug="sco-2025")
    client = respondent_client(f"axe-{language}")
    complete_survey(client, survey, language=language)
    cookies = [
        {"name": key, "value": morsel.value, "url": base} for key, morsel in client.cookies.items()
    ]
    page.context.add_cookies(cookies)
    _visit(page, f"{base}/{language}/s/sco-2025/thanks/", f"{language} thank-you", found)
    page.context.clear_cookies()


def test_axe_finds_no_serious_or_critical_violation_on_any_page_in_any_language(
    live_server: Any, chromium: Any
) -> None:
    call_command("load_questionnaire")
    call_command("seed_demo")
    survey = Survey.objects.get(slug="sco-2025")
    aggregates_rebuild(survey_id=survey.pk)
    used_up = SeedLink.objects.create(survey=survey, label="axe: used up", coupon_limit=0)
    expired = SeedLink.objects.create(survey=survey, label="axe: expired", is_active=False)
    seed = SeedLink.objects.filter(survey=survey).exclude(label__startswith="axe").first()
    assert Response.objects.filter(survey=survey).exists()
    country = survey.role_code(QuestionRole.COUNTRY)
    staff = staff_user("axe-staff", "Organizers", "Analysts")
    base = live_server.url
    found: list[str] = []
    # The CSP allows no inline script: axe is injected as one, so the test context bypasses it.
    context = chromium.new_context(viewport={"width": 1280, "height": 800}, bypass_csp=True)
    page = context.new_page()
    page.set_default_timeout(20_000)
    try:
        for language in LANGUAGES:
            _respondent_pages(page, base, language, found)
            context.clear_cookies()
            _thanks_page(page, base, language, found)
            for where, path in [
                ("link: enter a code", "r/"),
                ("link: used up", f"r/{used_up.code}/"),
                ("link: expired", f"r/{expired.code}/"),
                ("link: invalid", "r/NOSUCHCODE/"),
                ("login", "accounts/login/"),
                ("404", "no-such-page/"),
            ]:
                _visit(page, f"{base}/{language}/{path}", f"{language} {where}", found)
            with translation.override(language):
                bad_request = render_to_string("400.html")
            page.set_content(bad_request)
            page.wait_for_load_state()
            _audit(page, f"{language} 400", found)
            log_in_browser(context, user=staff, url=base)
            for where, path in [
                ("monitor", "organize/"),
                ("seed form", "organize/sco-2025/seeds/new/"),
                ("tree", f"organize/sco-2025/tree/{seed.pk}/"),
                ("dashboard", "analytics/"),
                ("diagnostics", f"analytics/sco-2025/rds/{country}/"),
                ("exports", "analytics/exports/"),
            ]:
                _visit(page, f"{base}/{language}/{path}", f"{language} {where}", found)
            context.clear_cookies()
    finally:
        context.close()
    assert not found, "\n".join(found)
