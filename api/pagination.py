"""Keyset pagination by id: a stable order a client can resume from, whatever arrives meanwhile.

Each page ends with ``next``, a link holding an opaque cursor (the last id served). It is given
even on the last page, so a pipeline stores it and asks again later for what came since:
rows are served in increasing id, and a row newer than the cursor is never skipped. Rows are
served once they are ``API_SETTLE_SECONDS`` old, so that a submission whose id was taken but
whose transaction had not yet committed cannot fall behind a cursor that already passed it.
"""

from __future__ import annotations

import base64
import binascii
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import BasePagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param

DEFAULT_PAGE_SIZE = 100
MAX_PAGE_SIZE = 1000


def cursor_encode(*, after: int) -> str:
    return base64.urlsafe_b64encode(f"id:{after}".encode()).decode().rstrip("=")


def cursor_decode(*, cursor: str) -> int:
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        kind, _sep, value = text.partition(":")
        after = int(value)
    except (binascii.Error, UnicodeError, ValueError):
        after, kind = -1, ""
    if kind != "id" or after < 0:
        raise ValidationError({"cursor": [_("Invalid cursor.")]}, code="invalid_cursor")
    return after


def page_size_read(*, request: Request) -> int:
    raw = request.query_params.get("page_size")
    if raw is None:
        return DEFAULT_PAGE_SIZE
    try:
        size = int(raw)
    except ValueError:
        size = 0
    if not 1 <= size <= MAX_PAGE_SIZE:
        raise ValidationError(
            {"page_size": [_("Give a page size from 1 to %(max)s.") % {"max": MAX_PAGE_SIZE}]},
            code="invalid_page_size",
        )
    return size


class IdCursorPagination(BasePagination):
    """Pages of rows in increasing id: ?cursor=<opaque>&page_size=1..1000."""

    def paginate_queryset(
        self, queryset: QuerySet, request: Request, view: object = None
    ) -> list[Any]:
        self.request = request
        size = page_size_read(request=request)
        cursor = request.query_params.get("cursor")
        after = cursor_decode(cursor=cursor) if cursor else 0
        rows = list(queryset.filter(pk__gt=after).order_by("pk")[: size + 1])
        self.has_more = len(rows) > size
        rows = rows[:size]
        self.last = rows[-1].pk if rows else after
        return rows

    def get_paginated_response(self, data: list[Any]) -> Response:
        url = self.request.build_absolute_uri()
        return Response(
            {
                "next": replace_query_param(url, "cursor", cursor_encode(after=self.last)),
                "has_more": self.has_more,
                "results": data,
            }
        )

    def get_paginated_response_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        return {
            "type": "object",
            "required": ["next", "has_more", "results"],
            "properties": {
                "next": {
                    "type": "string",
                    "format": "uri",
                    "description": "This list from after the last row served; keep it to resume.",
                },
                "has_more": {"type": "boolean", "description": "Whether rows wait beyond."},
                "results": schema,
            },
        }

    def get_schema_operation_parameters(self, view: object) -> list[dict[str, Any]]:
        return [
            {
                "name": "cursor",
                "in": "query",
                "required": False,
                "description": "The opaque cursor of a previous page's next link.",
                "schema": {"type": "string"},
            },
            {
                "name": "page_size",
                "in": "query",
                "required": False,
                "description": f"Rows per page, 1 to {MAX_PAGE_SIZE} ({DEFAULT_PAGE_SIZE}).",
                "schema": {
                    "type": "integer",
                    "minimum": 1,
                    "maximum": MAX_PAGE_SIZE,
                    "default": DEFAULT_PAGE_SIZE,
                },
            },
        ]
