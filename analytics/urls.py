from django.urls import path

from analytics import views

app_name = "analytics"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("rebuild/", views.rebuild, name="rebuild"),
    path("<slug:slug>/rds/<slug:code>/", views.diagnostics, name="diagnostics"),
    path("exports/", views.exports, name="exports"),
    path("exports/<uuid:pk>/", views.export_job, name="export_job"),
    path("exports/<uuid:pk>/status/", views.export_job_status, name="export_job_status"),
    path("exports/<uuid:pk>/download/", views.export_download, name="export_download"),
]
