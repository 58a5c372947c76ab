from django.urls import path
from drf_spectacular.views import SpectacularAPIView

from api import docs, views

app_name = "api"

survey = "v1/surveys/<slug:slug>/"
urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", docs.api_docs, name="docs"),
    path("v1/surveys/", views.SurveyList.as_view(), name="surveys"),
    path(survey, views.SurveyDetail.as_view(), name="survey"),
    path(f"{survey}questionnaire/", views.Questionnaire.as_view(), name="questionnaire"),
    path(f"{survey}responses/", views.Responses.as_view(), name="responses"),
    path(f"{survey}recruitment/", views.Recruitment.as_view(), name="recruitment"),
    path(f"{survey}aggregates/", views.Aggregates.as_view(), name="aggregates"),
    path(f"{survey}estimates/", views.Estimates.as_view(), name="estimates"),
]
