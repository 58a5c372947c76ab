from django.urls import include, path

from recruitment import questionnaire_upload, review_views, settings_views, views

app_name = "organize"

# Under /<survey>/seeds/ and /<survey>/tree/: one seed link's actions, one chain's drawing.
seed_patterns = [
    path("new/", views.seed_create, name="seed_create"),
    path("<int:seed_id>/edit/", views.seed_edit, name="seed_edit"),
    path("<int:seed_id>/deactivate/", views.seed_deactivate, name="seed_deactivate"),
    path("<int:seed_id>/reopen/", views.seed_reopen, name="seed_reopen"),
    path("<int:seed_id>/qr.svg", views.seed_qr, name="seed_qr"),
]
tree_patterns = [
    path("<int:seed_id>/", views.tree, name="tree"),
    path("<int:seed_id>.json", views.tree_json, name="tree_json"),
    path("root/<int:response_id>/", views.root_tree, name="root_tree"),
]

urlpatterns = [
    path("", views.monitor, name="monitor"),
    path(
        "questionnaire/upload/",
        questionnaire_upload.questionnaire_upload_view,
        name="questionnaire_upload",
    ),
    path("<slug:slug>/", views.monitor, name="survey"),
    path("<slug:slug>/seeds/", include(seed_patterns)),
    path("<slug:slug>/tree/", include(tree_patterns)),
    path("<slug:slug>/recruitment.csv", views.recruitment_csv, name="recruitment_csv"),
    path("<slug:slug>/flagged/", review_views.flagged, name="flagged"),
    path("<slug:slug>/responses/<int:response_id>/review/", review_views.review, name="review"),
    path("<slug:slug>/alerts/snooze/", review_views.snooze, name="alert_snooze"),
    path("<slug:slug>/alerts/thresholds/", review_views.thresholds, name="alert_thresholds"),
    path("<slug:slug>/digest/", review_views.digest, name="digest"),
    path("<slug:slug>/settings/", settings_views.survey_settings, name="survey_settings"),
]
