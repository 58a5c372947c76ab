from django.urls import path

from webhooks import views

app_name = "webhooks"

urlpatterns = [
    path("", views.webhooks, name="webhooks"),
    path("deliveries/<int:delivery_id>/resend/", views.delivery_resend, name="resend"),
]
