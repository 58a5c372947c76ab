"""Django admin for editing questionnaires, refusing edits that would corrupt stored answers."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import Model, QuerySet
from django.forms.models import BaseInlineFormSet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils.translation import gettext_lazy as _

from surveys.models import Option, Page, Question, Response, SeedLink, Survey
from surveys.quality import design_log
from surveys.services import ERASED_FIELDS


class LockedDeletionMixin:
    """Turn the refusal to delete answered questionnaire parts into an admin message."""

    def delete_view(
        self, request: HttpRequest, object_id: str, extra_context: dict | None = None
    ) -> HttpResponse:
        try:
            return super().delete_view(request, object_id, extra_context)  # type: ignore[misc]
        except ValidationError as error:
            self.message_user(request, " ".join(error.messages), messages.ERROR)  # type: ignore[attr-defined]
            return HttpResponseRedirect(request.path.rsplit("/delete/", 1)[0] + "/change/")

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet) -> None:
        try:
            super().delete_queryset(request, queryset)  # type: ignore[misc]
        except ValidationError as error:
            self.message_user(request, " ".join(error.messages), messages.ERROR)  # type: ignore[attr-defined]


class LockedOptionFormSet(BaseInlineFormSet):
    def clean(self) -> None:
        super().clean()
        question: Question = self.instance
        if question.pk is None or not question.survey.has_responses():
            return
        if any(form in self.deleted_forms for form in self.initial_forms):
            raise ValidationError(
                _("This survey already has responses: its options can no longer be deleted."),
                code="questionnaire_locked",
            )


class OptionInline(admin.TabularInline):
    model = Option
    formset = LockedOptionFormSet
    extra = 0
    fields = ["position", "code", "is_other", "label_ru", "label_kk", "label_en"]


@admin.register(Question)
class QuestionAdmin(LockedDeletionMixin, admin.ModelAdmin):
    list_display = ["code", "survey", "page", "position", "kind", "required"]
    list_filter = ["survey", "kind"]
    search_fields = ["code", "text_ru", "text_kk", "text_en"]
    inlines = [OptionInline]


class QuestionInline(admin.TabularInline):
    model = Question
    extra = 0
    fields = ["position", "code", "kind", "required"]
    show_change_link = True


@admin.register(Page)
class PageAdmin(LockedDeletionMixin, admin.ModelAdmin):
    list_display = ["code", "survey", "position", "title_en"]
    list_filter = ["survey"]


@admin.register(Survey)
class SurveyAdmin(admin.ModelAdmin):
    list_display = ["slug", "title_en", "is_open", "coupon_limit"]

    def save_model(self, request: HttpRequest, obj: Survey, form: Any, change: bool) -> None:
        """Save, logging a new coupon limit, state or too-fast threshold as a design change."""
        before = Survey.objects.filter(pk=obj.pk).first() if change else None
        super().save_model(request, obj, form, change)
        if before is not None:
            design_log.survey_changed(survey=obj, before=before, user=request.user)


@admin.register(Option)
class OptionAdmin(LockedDeletionMixin, admin.ModelAdmin):
    list_display = ["code", "question", "position", "is_other"]
    list_filter = ["question__survey"]


@admin.register(SeedLink)
class SeedLinkAdmin(admin.ModelAdmin):
    list_display = ["label", "survey", "code", "coupon_limit", "expires_at", "is_active"]
    readonly_fields = ["code"]

    def save_model(self, request: HttpRequest, obj: SeedLink, form: Any, change: bool) -> None:
        """Save, logging the link's limit, expiry and state as design changes."""
        before = SeedLink.objects.filter(pk=obj.pk).first() if change else None
        super().save_model(request, obj, form, change)
        if before is None:
            design_log.seed_link_created(seed_link=obj, user=request.user)
        else:
            design_log.seed_link_changed(seed_link=obj, before=before, user=request.user)


@admin.register(Response)
class ResponseAdmin(admin.ModelAdmin):
    list_display = ["id", "survey", "language", "submitted_at", "wave", "withdrawn_at"]
    list_filter = ["survey", "language"]
    readonly_fields = [f.name for f in Response._meta.fields]

    def get_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        """Leave out a withdrawn response's erased fields: nothing of them is left to show."""
        fields = list(super().get_fields(request, obj))
        if obj is not None and obj.withdrawn_at is not None:
            fields = [name for name in fields if name not in {*ERASED_FIELDS, "language"}]
        return fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
