"""Snowball recruitment: which link brought a visitor, and the link a respondent passes on."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from urllib.parse import quote, urlencode

from django.conf import settings
from django.http import HttpRequest
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from surveys.links import limits, policy
from surveys.links.codes import is_code, normalize_code
from surveys.links.policy import LinkState
from surveys.links.qr import qr_svg
from surveys.links.ratelimit import rate_count, rate_hit
from surveys.models import LinkEvent, Response, SeedLink, Survey
from surveys.privacy import client_address_hash
from surveys.services import Attribution
from surveys.visitor import visitor_link_code

logger = logging.getLogger(__name__)

# Links carry no language prefix: LocaleMiddleware sends each visitor to their own language.
LINK_PATH = "/r/{code}/"
# Any code this long or longer cannot be ours; it is refused without a database query.
MAX_CODE_LENGTH = 32
# Messengers fetch a shared link to show its preview: Telegram, WhatsApp, VK and the like.
LINK_PREVIEW_AGENTS = (
    "TelegramBot",
    "WhatsApp",
    "vkShare",
    "facebookexternalhit",
    "Twitterbot",
    "Slackbot",
    "Discordbot",
    "LinkedInBot",
    "SkypeUriPreview",
    "Viber",
)


@dataclass(frozen=True)
class FoundLink:
    """A seed or personal link found by its code."""

    survey: Survey
    code: str
    seed_link: SeedLink | None = None
    recruiter: Response | None = None

    @property
    def state(self) -> LinkState:
        if self.seed_link is not None:
            return policy.seed_state(seed_link=self.seed_link)
        assert self.recruiter is not None
        return policy.personal_state(recruiter=self.recruiter)


@dataclass(frozen=True)
class ShareLink:
    name: str
    url: str


@dataclass(frozen=True)
class Referral:
    """The personal link a respondent passes on, and how many recruits it may still bring."""

    url: str
    code: str
    remaining: int | None
    qr: SafeString
    share_text: str
    share_links: tuple[ShareLink, ...]

    @property
    def spoken_code(self) -> str:
        return spoken_code(self.code)


def spoken_code(code: str) -> str:
    """Return the code in groups of four, easier to read out (the groups are ignored on input)."""
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


def link_url(*, request: HttpRequest, code: str) -> str:
    """Return the absolute address of a seed or personal link, on SITE_URL where one is set."""
    path = LINK_PATH.format(code=code)
    if settings.SITE_URL:
        # Behind a proxy the request may name an internal host that nobody outside can reach.
        return settings.SITE_URL + path
    return request.build_absolute_uri(path)


def link_find(*, code: str) -> FoundLink | None:
    """Return the seed or personal link with this code, if there is one."""
    code = normalize_code(code)
    # Anything outside the alphabet (a NUL byte, say) is no code: answer without asking the DB.
    if not is_code(code) or len(code) > MAX_CODE_LENGTH:
        return None
    seed = SeedLink.objects.filter(code=code).select_related("survey").first()
    if seed is not None:
        return FoundLink(survey=seed.survey, code=code, seed_link=seed)
    recruiter = Response.objects.filter(referral_code=code).select_related("survey").first()
    if recruiter is not None:
        return FoundLink(survey=recruiter.survey, code=code, recruiter=recruiter)
    return None


def _survey_link(*, survey: Survey, code: str) -> FoundLink | None:
    found = link_find(code=code)
    return found if found is not None and found.survey.pk == survey.pk else None


def attribution_for_visitor(*, request: HttpRequest, survey: Survey) -> Attribution:
    """Return the recruitment of a visitor who is about to start answering."""
    code = visitor_link_code(request=request, survey=survey)
    found = _survey_link(survey=survey, code=code) if code else None
    if found is None:
        return Attribution()
    return Attribution(code=found.code, seed_link=found.seed_link, recruiter=found.recruiter)


def visitor_link_state(*, request: HttpRequest, survey: Survey) -> LinkState:
    """Return whether the link this visitor arrived with may still bring them in.

    A visitor who arrived without a link, or chose to answer without one, is usable.
    """
    code = visitor_link_code(request=request, survey=survey)
    found = _survey_link(survey=survey, code=code) if code else None
    return LinkState.USABLE if found is None else found.state


def _guess_key(request: HttpRequest) -> str:
    # The real address alone: a guesser cannot start afresh by changing their browser's name.
    return f"surveys:link-guesses:{client_address_hash(request)}"


def guessing_blocked(*, request: HttpRequest) -> bool:
    """Return whether this client address made too many failed link look-ups lately.

    Ask only after a look-up failed: a valid code always opens, whoever guessed before.
    """
    return rate_count(key=_guess_key(request)) >= limits.GUESS_LIMIT


def guess_failed(*, request: HttpRequest) -> None:
    """Count a failed link look-up against this client for the guessing window."""
    rate_hit(key=_guess_key(request), window_seconds=limits.GUESS_WINDOW_SECONDS)


def _share_links(url: str, text: str) -> tuple[ShareLink, ...]:
    return (
        ShareLink("Telegram", "https://t.me/share/url?" + urlencode({"url": url, "text": text})),
        ShareLink("WhatsApp", "https://wa.me/?text=" + quote(f"{text} {url}", safe="")),
        ShareLink("VK", "https://vk.com/share.php?" + urlencode({"url": url, "title": text})),
    )


def referral_for(*, request: HttpRequest, response: Response) -> Referral:
    """Return the respondent's own referral link with its QR code and share addresses."""
    url = link_url(request=request, code=response.referral_code)
    survey = response.survey
    left = policy.remaining(
        limit=policy.personal_limit(survey=survey),
        used=policy.personal_used(recruiter=response),
    )
    text = _("Please take part in this survey: %(title)s") % {"title": survey.title}
    return Referral(
        url=url,
        code=response.referral_code,
        remaining=left,
        qr=qr_svg(data=url),
        share_text=text,
        share_links=_share_links(url, text),
    )


def is_link_preview(request: HttpRequest) -> bool:
    """Return whether the request is a messenger fetching a preview of a link just shared."""
    agent = request.META.get("HTTP_USER_AGENT", "")
    return any(bot in agent for bot in LINK_PREVIEW_AGENTS)


def link_opened(*, request: HttpRequest, found: FoundLink) -> None:
    """Count an opening of the link for its funnel; nothing about the visitor is kept."""
    if is_link_preview(request):
        return  # sharing a link in a chat is not a person opening it
    LinkEvent.objects.create(survey=found.survey, code=found.code, kind=LinkEvent.Kind.OPENED)
