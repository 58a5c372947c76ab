from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path

from config import views

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("bench/hello", views.hello, name="bench-hello"),
    path("i18n/", include("django.conf.urls.i18n")),
]
urlpatterns += i18n_patterns(
    path("", views.home, name="home"),
    path("privacy/", views.privacy, name="privacy"),
    path("", include("surveys.urls")),
    path("organize/", include("recruitment.urls")),
    path("analytics/", include("analytics.urls")),
    path("accounts/", include("django.contrib.auth.urls")),
    path("admin/", admin.site.urls),
    prefix_default_language=True,
)

handler400 = "config.views.bad_request"
handler500 = "config.views.server_error"
