"""Tells drf-spectacular how the API's token is given, for the OpenAPI schema."""

from __future__ import annotations

from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension


class SurveyTokenScheme(OpenApiAuthenticationExtension):
    target_class = "api.authentication.SurveyTokenAuthentication"
    name = "surveyToken"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "A study's token, as: Token <token>",
        }
