"""What the API shows of a survey, its questionnaire and its responses (never a contact)."""

from __future__ import annotations

from django.utils.text import capfirst
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from estimates.models import EstimationSettings
from surveys.models import Option, Question, Response, Survey

LANGUAGES = ("en", "ru", "kk")


def _texts(obj: object, field: str) -> dict[str, str]:
    return {language: getattr(obj, f"{field}_{language}") for language in LANGUAGES}


TEXTS = {
    "type": "object",
    "properties": {language: {"type": "string"} for language in LANGUAGES},
}


# The analysts' population size N (analytics' EstimationSettings), shown with the survey as it
# was when N was a column of the survey: same name, type, title and description.
_SIZE = EstimationSettings._meta.get_field("population_size")


class SurveySerializer(serializers.ModelSerializer):
    title = serializers.SerializerMethodField()
    # A survey without settings has no row: DRF reads the missing row as null.
    population_size = serializers.IntegerField(
        source="estimation_settings.population_size",
        allow_null=True,
        required=False,
        min_value=0,
        max_value=9223372036854775807,
        label=capfirst(_SIZE.verbose_name),
        help_text=_SIZE.help_text,
    )

    class Meta:
        model = Survey
        fields = ["slug", "title", "is_open", "coupon_limit", "population_size"]

    @extend_schema_field(TEXTS)
    def get_title(self, survey: Survey) -> dict[str, str]:
        return _texts(survey, "title")


class OptionSerializer(serializers.ModelSerializer):
    label = serializers.SerializerMethodField()

    class Meta:
        model = Option
        fields = ["code", "is_other", "label"]

    @extend_schema_field(TEXTS)
    def get_label(self, option: Option) -> dict[str, str]:
        return _texts(option, "label")


class QuestionSerializer(serializers.ModelSerializer):
    page = serializers.CharField(source="page.code")
    text = serializers.SerializerMethodField()
    options = OptionSerializer(many=True)

    class Meta:
        model = Question
        fields = [
            "code",
            "page",
            "kind",
            "required",
            "role",
            "min_value",
            "max_value",
            "text",
            "options",
        ]

    @extend_schema_field(TEXTS)
    def get_text(self, question: Question) -> dict[str, str]:
        return _texts(question, "text")


class ResponseSerializer(serializers.ModelSerializer):
    """A response with answers keyed by question code; no contact, link code or hash."""

    seed_link_id = serializers.IntegerField(allow_null=True)
    recruiter_id = serializers.IntegerField(allow_null=True)
    duration_seconds = serializers.SerializerMethodField()
    answers = serializers.JSONField(
        help_text="Answers keyed by question code: an option code, a list of option codes, an "
        "integer or a text. Empty for a withdrawn response."
    )
    other_texts = serializers.JSONField(help_text="'Other (specify)' texts by question code.")
    quality_flags = serializers.ListField(child=serializers.CharField())

    class Meta:
        model = Response
        fields = [
            "id",
            "submitted_at",
            "language",
            "duration_seconds",
            "wave",
            "recruiter_id",
            "seed_link_id",
            "self_started",
            "network_size",
            "answers",
            "other_texts",
            "quality_flags",
            "review",
            "withdrawn_at",
        ]

    def get_duration_seconds(self, response: Response) -> int | None:
        return None if response.withdrawn_at else response.duration_seconds


class EdgeSerializer(serializers.ModelSerializer):
    """One respondent of the recruitment forest and the edge from their recruiter."""

    seed_link_id = serializers.IntegerField(allow_null=True)
    recruiter_id = serializers.IntegerField(
        allow_null=True, help_text="Null for a seed (wave 0): through a seed link or self-started."
    )

    class Meta:
        model = Response
        fields = [
            "id",
            "recruiter_id",
            "seed_link_id",
            "wave",
            "self_started",
            "network_size",
            "submitted_at",
            "withdrawn_at",
        ]


class AggregateSerializer(serializers.Serializer):
    question = serializers.CharField()
    option = serializers.CharField()
    count = serializers.IntegerField()
    base = serializers.IntegerField()
    percent = serializers.FloatField(allow_null=True)
    count_unflagged = serializers.IntegerField()
    base_unflagged = serializers.IntegerField()
    percent_unflagged = serializers.FloatField(allow_null=True)


class AggregatesSerializer(serializers.Serializer):
    survey = serializers.CharField()
    built_at = serializers.DateTimeField(allow_null=True)
    respondents = serializers.IntegerField()
    rows = AggregateSerializer(many=True)


class EstimateSerializer(serializers.Serializer):
    method = serializers.ChoiceField(choices=["rds2", "rds1", "ss", "poststrat"])
    share = serializers.FloatField(allow_null=True, help_text="A fraction (0 to 1).")
    ci_low = serializers.FloatField(allow_null=True)
    ci_high = serializers.FloatField(allow_null=True)
    interval = serializers.CharField(help_text="How the 95 % interval was computed, if any.")


class EstimateRowSerializer(serializers.Serializer):
    question = serializers.CharField()
    option = serializers.CharField()
    estimates = EstimateSerializer(many=True)


class EstimatesSerializer(serializers.Serializer):
    survey = serializers.CharField()
    built_at = serializers.DateTimeField(allow_null=True)
    respondents = serializers.IntegerField()
    seeds = serializers.IntegerField()
    waves = serializers.IntegerField()
    population_size = serializers.IntegerField(allow_null=True)
    unavailable = serializers.CharField(help_text="Why there are no estimates, if there are none.")
    ss_unavailable = serializers.CharField(help_text="Why there are no SS estimates, if none.")
    methods = serializers.DictField(child=serializers.CharField())
    rows = EstimateRowSerializer(many=True)
