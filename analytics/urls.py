from django.urls import path

from analytics.views import dashboard, exports, margins, population_estimate
from analytics.views import diagnostics as rds

app_name = "analytics"

urlpatterns = [
    path("", dashboard.dashboard, name="dashboard"),
    path("rebuild/", dashboard.rebuild, name="rebuild"),
    path("<slug:slug>/rds/<slug:code>/", rds.diagnostics, name="diagnostics"),
    path("exports/", exports.exports, name="exports"),
    path("exports/<slug:slug>/bundle/", exports.export_bundle, name="export_bundle"),
    path("margins/<slug:slug>/", margins.margins, name="margins"),
    path("<slug:slug>/population/", rds.population_size, name="population_size"),
    path(
        "<slug:slug>/population/estimate/",
        population_estimate.population_estimate,
        name="population_estimate",
    ),
    path(
        "<slug:slug>/population/estimate/<int:pk>/use/",
        population_estimate.population_estimate_apply,
        name="population_estimate_apply",
    ),
    path("exports/<uuid:pk>/", exports.export_job, name="export_job"),
    path("exports/<uuid:pk>/status/", exports.export_job_status, name="export_job_status"),
    path("exports/<uuid:pk>/download/", exports.export_download, name="export_download"),
]
