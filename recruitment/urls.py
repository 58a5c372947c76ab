from django.urls import path

from recruitment import views

app_name = "organize"

urlpatterns = [
    path("", views.monitor, name="monitor"),
    path("<slug:slug>/", views.monitor, name="survey"),
    path("<slug:slug>/seeds/new/", views.seed_create, name="seed_create"),
    path(
        "<slug:slug>/seeds/<int:seed_id>/deactivate/",
        views.seed_deactivate,
        name="seed_deactivate",
    ),
    path("<slug:slug>/seeds/<int:seed_id>/qr.svg", views.seed_qr, name="seed_qr"),
    path("<slug:slug>/tree/<int:seed_id>/", views.tree, name="tree"),
    path("<slug:slug>/tree/<int:seed_id>.json", views.tree_json, name="tree_json"),
    path("<slug:slug>/tree/root/<int:response_id>/", views.root_tree, name="root_tree"),
    path("<slug:slug>/recruitment.csv", views.recruitment_csv, name="recruitment_csv"),
]
