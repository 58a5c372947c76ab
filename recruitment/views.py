"""The organizers' pages: seed links, the recruitment monitor, chain trees and the RDS CSV."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib import messages
from django.core.paginator import Page
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.backends.utils import csrf_input
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from exports.rows.rds_csv import recruitment_rows
from membership.access import organizer_required
from membership.models import Role
from membership.selectors import survey_chosen, surveys_visible
from recruitment.forms import SeedLinkEditForm, SeedLinkForm, ThresholdsForm
from recruitment.health.snooze import SNOOZE_DAYS
from recruitment.health.store import alert_groups, health_panel
from recruitment.monitor.figures import Monitor, monitor_figures
from recruitment.monitor.quarantine import flagged_chains, flagged_counts, flagged_latest
from recruitment.seed_links import (
    seed_link_create,
    seed_link_deactivate,
    seed_link_reopen,
    seed_link_update,
)
from recruitment.tree.build import COLOR_BY, LAYOUTS, chain_tree, self_started_root, tree_svg
from surveys.csv_safe import csv_lines
from surveys.http import file_stem, form_page, posted
from surveys.links import attribution, limits
from surveys.links.qr import qr_svg
from surveys.models import Response, SeedLink, Survey
from surveys.quality.design_log import design_changes

MAX_DORMANT_DAYS = 365
# Chains listed per page of the monitor, latest activity first: a survey with hundreds of seed
# links must not render (or count countries and funnels for) hundreds of rows on every visit.
CHAINS_PER_PAGE = 25
# ?chains=: every chain, or only the dormant ones organizers go after to keep recruitment going.
CHAIN_FILTERS = ("all", "dormant")
# ?order=: latest activity first (the default), or by the country most of a chain comes from.
CHAIN_ORDERS = ("activity", "country")
# ?chart=: the chart's window in days, or the survey's whole period ("all", the default).
CHART_WINDOWS = ("all", "30", "90", "365")
# Numbered page links shown on each side of the current page, and at either end.
PAGES_AROUND = 2
PAGES_AT_ENDS = 1
# Flagged responses awaiting review and design changes shown on the monitor; the rest are on
# the review page and the digest.
MONITOR_FLAGGED = 10
MONITOR_CHANGES = 20
# The most urgent health alerts, and the chains with the most flagged responses awaiting
# review, shown on the monitor; the others are on the digest and the review page. Both lists
# grow with the seed links: uncapped, they made the page at 200k responses 1.3x as slow as at 1k.
MONITOR_MOST_URGENT = 10


@dataclass(frozen=True)
class PageLink:
    """One entry of the chain table's pagination: a page number or an ellipsis."""

    label: str
    url: str = ""  # empty for the current page and for an ellipsis
    current: bool = False


@dataclass(frozen=True)
class ChainPages:
    """The pagination of the chain table: the page shown and the links to the others."""

    page: Page
    links: list[PageLink] = field(default_factory=list)
    previous: str = ""  # empty on the first page
    next: str = ""  # empty on the last page


def _monitor_path(survey: Survey) -> str:
    return reverse("organize:survey", kwargs={"slug": survey.slug})


def _seed(survey: Survey, seed_id: int) -> SeedLink:
    # Through the survey's manager: the link holds that survey, read no second time.
    return get_object_or_404(survey.seed_links, pk=seed_id)


def _dormant_days(request: HttpRequest) -> int:
    try:
        days = int(request.GET.get("dormant_days", limits.DORMANT_DAYS))
    except ValueError:
        return limits.DORMANT_DAYS
    return min(max(days, 1), MAX_DORMANT_DAYS)


def _query(request: HttpRequest, **changes: str | int | None) -> str:
    """Return this page's query string with some parameters changed (None leaves one out), so
    that a link to another page of chains keeps the filter and the dormancy threshold."""
    params = request.GET.copy()
    for name, value in changes.items():
        if value is None:
            params.pop(name, None)
        else:
            params[name] = str(value)
    return f"?{params.urlencode()}#chains-title"


def _page_links(request: HttpRequest, page: Page) -> list[PageLink]:
    links = []
    for number in page.paginator.get_elided_page_range(
        page.number, on_each_side=PAGES_AROUND, on_ends=PAGES_AT_ENDS
    ):
        if not isinstance(number, int):  # the paginator's ellipsis
            links.append(PageLink(label=str(number)))
        elif number == page.number:
            links.append(PageLink(label=str(number), current=True))
        else:
            links.append(PageLink(label=str(number), url=_query(request, chains_page=number)))
    return links


def _chain_pages(request: HttpRequest, page: Page) -> ChainPages:
    """Return the links around the page of chains shown; none when there is one page only."""
    if page.paginator.num_pages < 2:
        return ChainPages(page=page)
    return ChainPages(
        page=page,
        links=_page_links(request, page),
        previous=_query(request, chains_page=page.previous_page_number())
        if page.has_previous()
        else "",
        next=_query(request, chains_page=page.next_page_number()) if page.has_next() else "",
    )


@organizer_required
@require_GET
def monitor(request: HttpRequest, survey: Survey | None = None) -> HttpResponse:
    visible = list(surveys_visible(user=request.user, role=Role.ORGANIZER))
    if survey is None:
        # /organize/?survey=SLUG, or the first survey of the organizer's.
        survey = survey_chosen(surveys=visible, slug=request.GET.get("survey"))
    if survey is None:
        return render(request, "organize/no_survey.html")
    dormant_days = _dormant_days(request)
    dormant_only = _choice(request, "chains", CHAIN_FILTERS) == "dormant"
    chart_window = _choice(request, "chart", CHART_WINDOWS)
    chain_order = _choice(request, "order", CHAIN_ORDERS)
    figures = monitor_figures(
        survey=survey,
        dormant_days=dormant_days,
        chains_page=request.GET.get("chains_page"),
        chains_per_page=CHAINS_PER_PAGE,
        dormant_only=dormant_only,
        chart_days=None if chart_window == "all" else int(chart_window),
        country=request.GET.get("country", "")[:32] or None,
        by_country=chain_order == "country",
    )
    context = {
        "survey": survey,
        "chains": figures.chains,
        "chain_pages": _chain_pages(request, figures.chains_page),
        "dormant_only": dormant_only,
        "chain_order": chain_order,
        # Reordering keeps the filters and starts again at the first page.
        "country_order_url": _query(request, order="country", chains_page=None),
        "activity_order_url": _query(request, order=None, chains_page=None),
        "chain_country": request.GET.get("country", "")[:32],
        "chart_window": chart_window,
        "chart_windows": [
            (window, f"{_query(request, chart=window).split('#')[0]}#daily-title")
            for window in CHART_WINDOWS
        ],
        # Switching the filter starts again at its first page.
        "all_chains_url": _query(request, chains=None, chains_page=None),
        "dormant_chains_url": _query(request, chains="dormant", chains_page=None),
        "surveys": [each.slug for each in visible],
        "m": figures,
        "form": SeedLinkForm(survey=survey),
        # One token for the close form of every row.
        "csrf_input": csrf_input(request),
        "daily_chart": {
            "labels": [day.isoformat() for day, _count in figures.daily],
            "counts": [count for _day, count in figures.daily],
            "before": figures.daily_before,
            "label": _("Completed responses per day"),
            "cumulative_label": _("All completed responses"),
        },
        **_quality_context(request, survey, figures=figures),
    }
    return render(request, "organize/monitor.html", context)


def _quality_context(
    request: HttpRequest, survey: Survey, *, figures: Monitor
) -> dict[str, object]:
    """Return the monitor's sample health, flagged responses and design changes.

    The flagged counts are the tally's (``figures``): without any, no flagged row is read."""
    chains = flagged_chains(survey=survey, counts=figures.flag_chains, shown=MONITOR_MOST_URGENT)
    flagged = flagged_counts(figures.flag_chains)
    pending = sum(each[1] for each in flagged.values())
    # One more than shown tells whether there are older ones, without counting them all.
    changes = design_changes(survey=survey, limit=MONITOR_CHANGES + 1)
    health = health_panel(survey=survey, limit=MONITOR_MOST_URGENT)
    return {
        "health": health,
        "alert_groups": alert_groups(panel=health),
        "snooze_days": SNOOZE_DAYS,
        "thresholds_form": ThresholdsForm(survey=survey),
        # Most awaiting review first (flagged_chains' order).
        "flagged_chains": chains,
        "more_flagged_chains": max(len(flagged) - MONITOR_MOST_URGENT, 0),
        "flagged_pending": pending,
        "flagged": flagged_latest(survey=survey, count=MONITOR_FLAGGED) if pending else [],
        "changes": changes[-MONITOR_CHANGES:],
        "more_changes": len(changes) > MONITOR_CHANGES,
        "here": request.get_full_path(),
    }


@organizer_required
@require_http_methods(["GET", "POST"])
def seed_create(request: HttpRequest, survey: Survey) -> HttpResponse:
    form = SeedLinkForm(posted(request), survey=survey)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        seed = seed_link_create(
            survey=survey,
            created_by=request.user,
            label=data["label"],
            note=data["note"],
            coupon_limit=data["coupon_limit"],
            valid_through=data["valid_through"],
        )
        messages.success(request, _("Seed link “%(label)s” created.") % {"label": seed.label})
        return redirect(f"{_monitor_path(survey)}#seed-{seed.pk}")
    return form_page(request, "organize/seed_form.html", {"survey": survey, "form": form})


def _seed_switched(request: HttpRequest, seed: SeedLink, message: str) -> HttpResponse:
    messages.success(request, message % {"label": seed.label})
    return redirect(f"{_monitor_path(seed.survey)}#seed-{seed.pk}")


@organizer_required
@require_http_methods(["GET", "POST"])
def seed_edit(request: HttpRequest, survey: Survey, seed_id: int) -> HttpResponse:
    seed = _seed(survey, seed_id)
    form = SeedLinkEditForm(posted(request), seed_link=seed)
    if request.method == "POST" and form.is_valid():
        seed_link_update(seed_link=seed, user=request.user, **form.cleaned_data)
        return _seed_switched(request, seed, _("Seed link “%(label)s” changed."))
    context = {"survey": seed.survey, "seed": seed, "form": form}
    return form_page(request, "organize/seed_edit.html", context)


@organizer_required
@require_POST
def seed_deactivate(request: HttpRequest, survey: Survey, seed_id: int) -> HttpResponse:
    seed = seed_link_deactivate(seed_link=_seed(survey, seed_id), user=request.user)
    return _seed_switched(request, seed, _("Seed link “%(label)s” no longer brings new people."))


@organizer_required
@require_POST
def seed_reopen(request: HttpRequest, survey: Survey, seed_id: int) -> HttpResponse:
    seed = seed_link_reopen(seed_link=_seed(survey, seed_id), user=request.user)
    return _seed_switched(request, seed, _("Seed link “%(label)s” brings new people again."))


@organizer_required
@require_GET
def seed_qr(request: HttpRequest, survey: Survey, seed_id: int) -> HttpResponse:
    seed = _seed(survey, seed_id)
    svg = qr_svg(data=attribution.link_url(request=request, code=seed.code))
    body = '<?xml version="1.0" encoding="utf-8"?>\n' + svg.replace(
        "<svg ", '<svg xmlns="http://www.w3.org/2000/svg" ', 1
    )
    response = HttpResponse(body, content_type="image/svg+xml")
    response["Content-Disposition"] = f'inline; filename="seed-{seed.pk}-qr.svg"'
    return response


def _choice(request: HttpRequest, name: str, choices: tuple[str, ...]) -> str:
    value = request.GET.get(name, choices[0])
    return value if value in choices else choices[0]


def _tree_page(
    request: HttpRequest,
    survey: Survey,
    *,
    seed: SeedLink | None = None,
    root: Response | None = None,
) -> HttpResponse:
    layout = _choice(request, "layout", LAYOUTS)
    chain = chain_tree(seed_link=seed, root=root, layout=layout)
    color_by = _choice(request, "color", COLOR_BY)
    svg, legend = tree_svg(chain, color_by=color_by)
    context = {
        "survey": survey,
        "seed": seed,
        "tree": chain,
        "svg": svg,
        "legend": legend,
        "color_by": color_by,
        "layout": layout,
    }
    return render(request, "organize/tree.html", context)


@organizer_required
@require_GET
def tree(request: HttpRequest, survey: Survey, seed_id: int) -> HttpResponse:
    return _tree_page(request, survey, seed=_seed(survey, seed_id), root=None)


@organizer_required
@require_GET
def root_tree(request: HttpRequest, survey: Survey, response_id: int) -> HttpResponse:
    root = self_started_root(survey=survey, response_id=response_id)
    if root is None:
        raise Http404("No such self-started chain")
    return _tree_page(request, survey, root=root)


@organizer_required
@require_GET
def tree_json(request: HttpRequest, survey: Survey, seed_id: int) -> JsonResponse:
    layout = _choice(request, "layout", LAYOUTS)
    chain = chain_tree(seed_link=_seed(survey, seed_id), layout=layout)
    return JsonResponse(chain.as_json())


@organizer_required
@require_GET
def recruitment_csv(request: HttpRequest, survey: Survey) -> StreamingHttpResponse:
    delimiter = ";" if request.GET.get("delimiter") == ";" else ","
    bom = request.GET.get("bom", "1") not in {"0", "false", "no"}
    response = StreamingHttpResponse(
        csv_lines(recruitment_rows(survey=survey), delimiter=delimiter, bom=bom),
        content_type="text/csv; charset=utf-8",
    )
    name = f"{file_stem(survey=survey)}-recruitment.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
