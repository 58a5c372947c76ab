"""The respondent's payout contact, under the survey's address (/s/<survey>/...)."""

from django.urls import path

from incentives import views

app_name = "incentives_respondent"

urlpatterns = [
    path("s/<slug:slug>/payout-contact/", views.payout_contact, name="payout_contact"),
]
