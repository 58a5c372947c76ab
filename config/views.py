"""Site-wide pages: home, privacy, health check, benchmark baseline, error and lockout pages."""

from __future__ import annotations

import logging
import math
import sys

from axes.conf import settings as axes_settings
from axes.helpers import get_cool_off
from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent
from django.db import InterfaceError, OperationalError, connection
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template.defaultfilters import filesizeformat
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from surveys.models import Survey
from surveys.selectors import surveys_with_contact

log = logging.getLogger(__name__)

# A probe must answer quickly even when Redis hangs; orchestrators time out at a few seconds.
BROKER_TIMEOUT_SECONDS = 1.0


def home(request: HttpRequest) -> HttpResponse:
    surveys = Survey.objects.filter(is_open=True)
    return render(request, "home.html", {"surveys": surveys})


def _database_state() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception as error:
        return f"error: {type(error).__name__}"
    return "ok"


def _broker_state() -> str:
    if not settings.REDIS_URL:
        return "in-process"
    import redis

    try:
        client = redis.Redis.from_url(
            settings.REDIS_URL,
            socket_connect_timeout=BROKER_TIMEOUT_SECONDS,
            socket_timeout=BROKER_TIMEOUT_SECONDS,
        )
        try:
            client.ping()
        finally:
            client.close()
    except Exception as error:
        return f"error: {type(error).__name__}"
    return "ok"


@never_cache
def privacy(request: HttpRequest) -> HttpResponse:
    return render(request, "privacy.html", {"contact_surveys": surveys_with_contact()})


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """Report whether the database and the Celery broker answer; 503 when one does not."""
    state = {"database": _database_state(), "broker": _broker_state()}
    healthy = state["database"] == "ok" and state["broker"] in {"ok", "in-process"}
    return JsonResponse(
        {"status": "ok" if healthy else "error", **state}, status=200 if healthy else 503
    )


def hello(request: HttpRequest) -> HttpResponse:
    """Answer a constant text: the cost of a request through the same server and middleware."""
    if not settings.BENCH_HELLO:
        raise Http404("Benchmark endpoints are off")
    return HttpResponse("Hello, world", content_type="text/plain")


def _caused_by_database(error: BaseException | None) -> bool:
    # Django wraps some failures: a session that cannot be saved becomes SessionInterrupted.
    while error is not None:
        if isinstance(error, OperationalError | InterfaceError):
            return True
        error = error.__cause__ or error.__context__
    return False


def _unavailable(error: BaseException | None) -> HttpResponse:
    # Rendered without the request: its session and user live in the unreachable database.
    log.warning("database unavailable: %s", error)
    response = HttpResponse(render_to_string("503.html"), status=503)
    response["Retry-After"] = "10"
    return response


# The first path segment after the language of the pages only staff use.
STAFF_SECTIONS = frozenset({"organize", "analytics", "admin", "accounts"})


def _for_staff(request: HttpRequest) -> bool:
    parts = request.path.strip("/").split("/")
    return len(parts) > 1 and parts[1] in STAFF_SECTIONS


def server_error(request: HttpRequest) -> HttpResponse:
    """Answer "try again in a moment" while the database is unreachable, else a plain 500.

    A respondent is told that their saved answers are kept; staff are not told about answers.
    """
    error = sys.exc_info()[1]
    if _caused_by_database(error):
        return _unavailable(error)
    page = render_to_string("500.html", {"for_staff": _for_staff(request)})
    return HttpResponse(page, status=500)


def _too_large(exception: Exception) -> str:
    """Say which of Django's request limits a request broke, in the page's language; or ""."""
    if isinstance(exception, RequestDataTooBig):
        limit = filesizeformat(settings.DATA_UPLOAD_MAX_MEMORY_SIZE)
        return _(
            "What you sent is too large (limit %(limit)s). Nothing of it was saved: go back "
            "and shorten it."
        ) % {"limit": limit}
    if isinstance(exception, TooManyFieldsSent):
        return _("The form has too many fields (limit %(limit)s).") % {
            "limit": settings.DATA_UPLOAD_MAX_NUMBER_FIELDS
        }
    return ""


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    """Explain a bad request, unless it only failed because the database went away."""
    if _caused_by_database(exception):
        return _unavailable(exception)
    page = render_to_string("400.html", {"message": _too_large(exception)}, request=request)
    return HttpResponse(page, status=400)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """Explain an expired form in the visitor's language instead of Django's English page."""
    return render(request, "403_csrf.html", status=403)


def login_lockout_response(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials: object = None
) -> HttpResponse:
    """Render the staff login lockout page, saying in how many minutes to try again."""
    cool_off = get_cool_off(request)
    minutes = math.ceil(cool_off.total_seconds() / 60) if cool_off else 0
    if getattr(request, "login_username_capped", False):
        minutes = math.ceil(settings.LOGIN_USERNAME_WINDOW_SECONDS / 60)
    context = {
        "minutes": minutes,
        "username_capped": getattr(request, "login_username_capped", False),
    }
    return render(request, "lockout.html", context, status=axes_settings.AXES_HTTP_RESPONSE_CODE)
