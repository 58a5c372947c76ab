"""The organizers' webhooks page: endpoints (secret shown once), their delivery log, resend."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from membership.access import organizer_required
from surveys.http import form_page, posted
from surveys.models import Survey
from webhooks.enqueue import deliveries_start
from webhooks.models import Event, WebhookDelivery
from webhooks.services import webhook_delivery_resend, webhook_endpoint_create

LOG_ROWS = 50


class EndpointForm(forms.Form):
    url = forms.URLField(label=gettext_lazy("URL"), max_length=500, assume_scheme="https")
    events = forms.MultipleChoiceField(
        label=gettext_lazy("Events"), choices=Event.choices, widget=forms.CheckboxSelectMultiple
    )


@organizer_required
@require_http_methods(["GET", "POST"])
def webhooks(request: HttpRequest, survey: Survey) -> HttpResponse:
    form = EndpointForm(posted(request))
    secret = ""
    if request.method == "POST" and form.is_valid():
        try:
            _endpoint, secret = webhook_endpoint_create(
                survey=survey,
                url=form.cleaned_data["url"],
                events=form.cleaned_data["events"],
                created_by=request.user,
            )
        except ValidationError as error:
            form.add_error("url", error)
        else:
            form = EndpointForm()
    endpoints = survey.webhooks.all()
    deliveries = {
        endpoint.pk: endpoint.deliveries.prefetch_related("tries")[:LOG_ROWS]
        for endpoint in endpoints
    }
    context = {
        "survey": survey,
        "form": form,
        "secret": secret,  # on this answer only: the page never shows a secret again
        "endpoints": [(endpoint, deliveries[endpoint.pk]) for endpoint in endpoints],
    }
    return form_page(request, "organize/webhooks.html", context)


@organizer_required
@require_POST
def delivery_resend(request: HttpRequest, survey: Survey, delivery_id: int) -> HttpResponse:
    delivery = get_object_or_404(
        WebhookDelivery.objects.filter(endpoint__survey=survey), pk=delivery_id
    )
    webhook_delivery_resend(delivery=delivery)
    deliveries_start(delivery_ids=[delivery.pk])
    messages.success(request, _("The delivery will be sent again."))
    return redirect("webhooks:webhooks", slug=survey.slug)
