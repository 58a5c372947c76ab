"""A respondent's browser over plain HTTP, for load and fault tests against a real server."""

from __future__ import annotations

import http.client
import re
import uuid
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from typing import Any
from urllib.parse import urlencode, urlsplit

REFERRAL = re.compile(r'id="referral-url"[^>]*>[^<]*/r/([0-9A-Z]+)/</textarea>')


@dataclass
class Reply:
    status: int
    location: str
    body: str


@dataclass
class RespondentBrowser:
    """Cookies and one keep-alive connection, as one person's browser has."""

    base_url: str
    timeout: float = 30
    cookies: dict[str, str] = field(default_factory=dict)
    statuses: list[int] = field(default_factory=list)
    # Rate limits and duplicate flags count per address and browser: one agent per respondent.
    user_agent: str = field(default_factory=lambda: f"respondent-client/{uuid.uuid4().hex}")

    def __post_init__(self) -> None:
        parts = urlsplit(self.base_url)
        self.host, self.port = parts.hostname or "127.0.0.1", parts.port or 80
        self._connection: http.client.HTTPConnection | None = None

    def request(self, method: str, path: str, form: list[tuple[str, Any]] | None = None) -> Reply:
        headers = {"Accept-Language": "en", "User-Agent": self.user_agent}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urlencode([("csrfmiddlewaretoken", self.cookies.get("csrftoken", "")), *form])
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        for attempt in range(2):
            if self._connection is None:
                self._connection = http.client.HTTPConnection(
                    self.host, self.port, timeout=self.timeout
                )
            try:
                self._connection.request(method, path, body=body, headers=headers)
                response = self._connection.getresponse()
                text = response.read().decode("utf-8", "replace")
                break
            except (ConnectionError, http.client.HTTPException):
                # A sync gunicorn worker closes the connection after each response.
                self._connection.close()
                self._connection = None
                if attempt:
                    raise
        for header in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                self.cookies[name] = morsel.value
        if response.headers.get("Connection", "").lower() == "close":
            self._connection.close()
            self._connection = None
        self.statuses.append(response.status)
        return Reply(response.status, response.headers.get("Location", ""), text)

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()


def page_forms(pages: list[dict[str, Any]]) -> list[list[tuple[str, Any]]]:
    """Turn each page's answers (as tests.flow.page_data gives them) into form fields."""
    forms = []
    for data in pages:
        fields: list[tuple[str, Any]] = []
        for key, value in data.items():
            fields.extend((key, item) for item in (value if isinstance(value, list) else [value]))
        forms.append(fields)
    return forms


def answer_survey(
    browser: RespondentBrowser,
    *,
    language: str,
    slug: str,
    forms: list[list[tuple[str, Any]]],
    link: str = "",
) -> str | None:
    """Open the link, consent, answer every page, submit; return the referral code shown."""
    base = f"/{language}/s/{slug}/"
    if link:
        opened = browser.request("GET", link)
        if opened.status != 302:
            return None
    if browser.request("GET", base).status != 200:
        return None
    if browser.request("POST", base, [("consent", "on")]).status != 302:
        return None
    for number, fields in enumerate(forms, start=1):
        action = "submit" if number == len(forms) else "next"
        reply = browser.request("POST", f"{base}p/{number}/", [*fields, ("action", action)])
        if reply.status != 302:
            return None
    thanks = browser.request("GET", f"{base}thanks/")
    found = REFERRAL.search(thanks.body) if thanks.status == 200 else None
    return found.group(1) if found else None
