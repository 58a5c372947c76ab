"""The read-only API: a token's survey, its questionnaire, responses, edges and figures."""

from __future__ import annotations

from typing import Any

from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.exceptions import ValidationError
from rest_framework.generics import GenericAPIView, ListAPIView
from rest_framework.request import Request
from rest_framework.response import Response

from api.pagination import IdCursorPagination
from api.selectors import (
    api_aggregates,
    api_estimates,
    api_questions,
    api_responses,
    token_survey,
)
from api.serializers import (
    AggregatesSerializer,
    EdgeSerializer,
    EstimatesSerializer,
    QuestionSerializer,
    ResponseSerializer,
    SurveySerializer,
)
from api.tokens import api_token_used
from surveys.models import Survey

SINCE = OpenApiParameter(
    "since",
    OpenApiTypes.DATETIME,
    description="Only responses submitted at or after this ISO 8601 time (e.g. "
    "2025-03-01T00:00:00Z).",
)


class TokenLogged:
    """Log every answered request made with a token (who: the token; what; which status)."""

    def finalize_response(self, request: Request, response: Any, *args: Any, **kwargs: Any) -> Any:
        response = super().finalize_response(request, response, *args, **kwargs)  # type: ignore[misc]
        token = getattr(request, "auth", None)
        if token is not None:
            api_token_used(
                token=token, method=request.method, path=request.path, status=response.status_code
            )
        return response


class SurveyScoped(TokenLogged):
    """A view of the token's survey, named by the URL's slug."""

    request: Request
    kwargs: dict[str, Any]

    def survey(self) -> Survey:
        return token_survey(token=self.request.auth, slug=self.kwargs["slug"])


class SurveyList(TokenLogged, ListAPIView):
    """The surveys this token may read: its own study."""

    serializer_class = SurveySerializer
    pagination_class = None

    def get_queryset(self) -> Any:
        return Survey.objects.filter(pk=self.request.auth.survey_id)


class SurveyDetail(SurveyScoped, GenericAPIView):
    serializer_class = SurveySerializer

    def get(self, request: Request, slug: str) -> Response:
        return Response(SurveySerializer(self.survey()).data)


class Questionnaire(SurveyScoped, ListAPIView):
    """The codebook: every question with its code, kind, role, texts and options."""

    serializer_class = QuestionSerializer
    pagination_class = None

    def get_queryset(self) -> Any:
        return api_questions(survey=self.survey())


class Responses(SurveyScoped, ListAPIView):
    """Responses in increasing id, answers keyed by question code; resume with next."""

    serializer_class = ResponseSerializer
    pagination_class = IdCursorPagination

    @extend_schema(parameters=[SINCE])
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> Any:
        raw = self.request.query_params.get("since")
        since = parse_datetime(raw) if raw else None
        if raw and since is None:
            raise ValidationError(
                {"since": [_("Give an ISO 8601 time, e.g. 2025-03-01T00:00:00Z.")]},
                code="invalid_since",
            )
        return api_responses(survey=self.survey(), since=since)


class Recruitment(SurveyScoped, ListAPIView):
    """The recruitment forest: each respondent with their recruiter, seed link and wave."""

    serializer_class = EdgeSerializer
    pagination_class = IdCursorPagination

    def get_queryset(self) -> Any:
        return api_responses(survey=self.survey(), since=None).only(*EdgeSerializer.Meta.fields)


class Aggregates(SurveyScoped, GenericAPIView):
    """Counts and percentages of every option, as the dashboard shows them."""

    serializer_class = AggregatesSerializer

    def get(self, request: Request, slug: str) -> Response:
        return Response(AggregatesSerializer(api_aggregates(survey=self.survey())).data)


class Estimates(SurveyScoped, GenericAPIView):
    """Population estimates (RDS-II, RDS-I, SS, post-stratified) with intervals and method."""

    serializer_class = EstimatesSerializer

    def get(self, request: Request, slug: str) -> Response:
        return Response(EstimatesSerializer(api_estimates(survey=self.survey())).data)
