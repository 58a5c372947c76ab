from django.urls import path

from surveys import organize_views

app_name = "organize"

urlpatterns = [
    path("", organize_views.monitor, name="monitor"),
]
