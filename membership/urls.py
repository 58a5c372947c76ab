from django.urls import path

from membership import views

app_name = "membership"

urlpatterns = [
    path("", views.members, name="members"),
    path("<int:membership_id>/remove/", views.member_remove, name="member_remove"),
]
