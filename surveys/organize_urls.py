from django.urls import path

from surveys import organize_views

app_name = "organize"

urlpatterns = [
    path("", organize_views.monitor, name="monitor"),
    path("<slug:slug>/", organize_views.monitor, name="survey"),
    path("<slug:slug>/seeds/new/", organize_views.seed_create, name="seed_create"),
    path(
        "<slug:slug>/seeds/<int:seed_id>/deactivate/",
        organize_views.seed_deactivate,
        name="seed_deactivate",
    ),
    path("<slug:slug>/seeds/<int:seed_id>/qr.svg", organize_views.seed_qr, name="seed_qr"),
    path("<slug:slug>/tree/<int:seed_id>/", organize_views.tree, name="tree"),
    path("<slug:slug>/tree/<int:seed_id>.json", organize_views.tree_json, name="tree_json"),
    path("<slug:slug>/recruitment.csv", organize_views.recruitment_csv, name="recruitment_csv"),
]
