from django.urls import path

from api import staff_views

app_name = "api_tokens"

urlpatterns = [
    path("", staff_views.tokens, name="tokens"),
    path("<int:token_id>/revoke/", staff_views.token_revoke, name="token_revoke"),
]
