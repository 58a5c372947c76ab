"""The organizers' incentive settings and the payers' payouts, under /organize/<survey>/."""

from django.urls import path

from incentives import payout_views, views

app_name = "incentives"

urlpatterns = [
    path("<slug:slug>/incentives/", views.incentive_settings, name="settings"),
    path("<slug:slug>/payouts/", payout_views.payouts, name="payouts"),
    path("<slug:slug>/payouts/contacts/", payout_views.payouts_contacts, name="payouts_contacts"),
    path("<slug:slug>/payouts/download/", payout_views.payouts_download, name="payouts_download"),
    path("<slug:slug>/payouts/pay/", payout_views.payouts_pay, name="payouts_pay"),
]
