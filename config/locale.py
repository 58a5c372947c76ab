"""The visitor's language: English for browsers that ask for none of ours, and it sticks."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.middleware.locale import LocaleMiddleware
from django.utils import translation
from django.utils.translation.trans_real import parse_accept_lang_header

from surveys.models.i18n import FALLBACK_LANGUAGE

# settings.LANGUAGE_CODE stays Russian: it is also the catalogue missing Kazakh strings fall
# back to, and the language of addresses reversed outside a request. The fallback for
# visitors is the questionnaire texts' own (English).


def _supported(code: str) -> str | None:
    try:
        return translation.get_supported_language_variant(code)
    except LookupError:
        return None


def _browser_asks_for_one_of_ours(request: HttpRequest) -> bool:
    """Return whether the language cookie or Accept-Language names a language we offer."""
    if _supported(request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "") or ""):
        return True
    header = request.META.get("HTTP_ACCEPT_LANGUAGE", "")
    return any(code != "*" and _supported(code) for code, _ in parse_accept_lang_header(header))


class SiteLocaleMiddleware(LocaleMiddleware):
    """Django's locale middleware with an English fallback and a language cookie.

    An address without a language (``/``, ``/r/<code>/``) opens in the language the visitor
    last used here, else the browser's if we offer it, else English: a Chinese, Hindi or Urdu
    browser reads English rather than Russian. Every page in a language remembers it.
    """

    def process_request(self, request: HttpRequest) -> None:
        super().process_request(request)
        if translation.get_language_from_path(
            request.path_info
        ) is None and not _browser_asks_for_one_of_ours(request):
            translation.activate(FALLBACK_LANGUAGE)
            request.LANGUAGE_CODE = FALLBACK_LANGUAGE

    def process_response(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        response = super().process_response(request, response)
        language = translation.get_language_from_path(request.path_info)
        remembered = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if language and language != remembered and response.status_code < 400:
            response.set_cookie(
                settings.LANGUAGE_COOKIE_NAME,
                language,
                max_age=settings.LANGUAGE_COOKIE_AGE,
                path=settings.LANGUAGE_COOKIE_PATH,
                domain=settings.LANGUAGE_COOKIE_DOMAIN,
                secure=settings.LANGUAGE_COOKIE_SECURE,
                httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
                samesite=settings.LANGUAGE_COOKIE_SAMESITE,
            )
        return response
