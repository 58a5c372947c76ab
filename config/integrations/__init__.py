"""Settings of the read-only API and the webhooks, read from the environment.

Kept apart from settings.py (which calls integration_settings) so that neither grows past the
house's module size; every variable here is documented in the README's pipelines section.
"""

from __future__ import annotations

from typing import Any

from config.env import env_bool, env_int, env_list, env_str


def integration_settings(*, production: bool) -> dict[str, Any]:
    """Return the API's and the webhooks' settings for this environment."""
    values: dict[str, Any] = {}
    # --- the read-only API (api/) -----------------------------------------------------------
    # Requests per token ("600/minute", "10000/day"), counted in the shared cache.
    values["API_TOKEN_RATE"] = env_str("API_TOKEN_RATE", "600/minute")
    # Responses are served once this old, so that a late commit never falls behind a cursor.
    values["API_SETTLE_SECONDS"] = env_int("API_SETTLE_SECONDS", 2, minimum=0)
    values["REST_FRAMEWORK"] = {
        "DEFAULT_AUTHENTICATION_CLASSES": ["api.authentication.SurveyTokenAuthentication"],
        "DEFAULT_PERMISSION_CLASSES": ["api.authentication.HasSurveyToken"],
        "DEFAULT_THROTTLE_CLASSES": ["api.authentication.TokenRateThrottle"],
        # JSON only: the browsable API's pages would need inline script under our CSP.
        "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
        "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
        "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
        "UNAUTHENTICATED_USER": None,
    }
    values["SPECTACULAR_SETTINGS"] = {
        "TITLE": "SCO survey API",
        "DESCRIPTION": "Read-only access to one study's questionnaire, responses, recruitment and "
        "figures, with a per-study token: Authorization: Token <token>.",
        "VERSION": "1",
        "SERVE_INCLUDE_SCHEMA": False,
        "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
        "SERVE_AUTHENTICATION": [],
        "SCHEMA_PATH_PREFIX": "/api/v1",
    }

    # --- webhooks (webhooks/) ---------------------------------------------------------------
    # In production only https and public addresses, except these hosts (comma-separated).
    values["WEBHOOK_ALLOWED_HOSTS"] = [
        host.lower() for host in env_list("WEBHOOK_ALLOWED_HOSTS", [])
    ]
    values["WEBHOOK_HTTPS_ONLY"] = env_bool("WEBHOOK_HTTPS_ONLY", production)
    # The embedded default sends to loopback too, for a receiver on the developer's machine.
    values["WEBHOOK_ALLOW_LOOPBACK"] = env_bool("WEBHOOK_ALLOW_LOOPBACK", not production)
    values["WEBHOOK_TIMEOUT_SECONDS"] = env_int("WEBHOOK_TIMEOUT_SECONDS", 10, minimum=1)
    # Retries: after 5 s, doubling, at most every 2 minutes, for a day; then the delivery fails.
    values["WEBHOOK_RETRY_FIRST_SECONDS"] = env_int("WEBHOOK_RETRY_FIRST_SECONDS", 5, minimum=1)
    values["WEBHOOK_RETRY_MAX_SECONDS"] = env_int("WEBHOOK_RETRY_MAX_SECONDS", 120, minimum=1)
    values["WEBHOOK_RETRY_HOURS"] = env_int("WEBHOOK_RETRY_HOURS", 24, minimum=1)
    # How often due deliveries are looked for: the beat's round, or the embedded default's loop.
    values["WEBHOOK_PUMP_SECONDS"] = env_int("WEBHOOK_PUMP_SECONDS", 15, minimum=1)
    values["WEBHOOK_PUMP"] = env_bool("WEBHOOK_PUMP", True)
    return values
