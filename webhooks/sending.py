"""One signed POST of a delivery, per the Standard Webhooks specification."""

from __future__ import annotations

import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from standardwebhooks import Webhook


@dataclass(frozen=True)
class Sent:
    status: int | None  # None when no HTTP answer came
    duration_ms: int
    error: str = ""

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    # A redirect could lead to an internal address the check never saw: it counts as a failure.
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


_opener = urllib.request.build_opener(_NoRedirect)


def signed_headers(*, secret: str, message_id: str, body: str, when: datetime) -> dict[str, str]:
    """Return the webhook-id, webhook-timestamp and webhook-signature headers of one attempt."""
    return {
        "webhook-id": message_id,
        "webhook-timestamp": str(int(when.timestamp())),
        "webhook-signature": Webhook(secret).sign(message_id, when, body),
    }


def webhook_post(*, url: str, secret: str, message_id: str, body: str, when: datetime) -> Sent:
    """POST the body once; any answer outside 2xx, a timeout or a refused connection fails."""
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "sco-survey-webhooks/1",
        **signed_headers(secret=secret, message_id=message_id, body=body, when=when),
    }
    request = urllib.request.Request(url, data=body.encode(), headers=headers, method="POST")  # noqa: S310 (checked by webhook_url_check)
    started = time.monotonic()
    try:
        with _opener.open(request, timeout=settings.WEBHOOK_TIMEOUT_SECONDS) as answer:
            status = answer.status
        error = ""
    except urllib.error.HTTPError as failure:
        status, error = failure.code, f"HTTP {failure.code}"
    except (urllib.error.URLError, OSError) as failure:
        reason = getattr(failure, "reason", failure)
        status, error = None, str(reason)[:300]
    return Sent(status=status, duration_ms=int((time.monotonic() - started) * 1000), error=error)
