from django.urls import path

from surveys import views
from surveys.links import views as link_views

app_name = "surveys"

urlpatterns = [
    path("s/<slug:slug>/", views.survey_start, name="start"),
    path("s/<slug:slug>/p/<int:number>/", views.survey_page, name="page"),
    path("s/<slug:slug>/thanks/", views.survey_thanks, name="thanks"),
    path("s/<slug:slug>/not-eligible/", views.survey_screened_out, name="screened_out"),
    path(
        "s/<slug:slug>/without-link/",
        link_views.answer_without_link,
        name="without_link",
    ),
    path("r/", link_views.referral_enter, name="referral_enter"),
    path("r/<str:code>/", link_views.referral_open, name="referral"),
    path("s/<slug:slug>/new-person/", views.survey_new_person, name="new_person"),
    path("withdraw/", views.response_withdraw_by_code, name="withdraw_by_code"),
    path("withdraw/<uuid:token>/", views.response_withdraw_view, name="withdraw"),
]
