from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from config import bench, views
from surveys.links import views as link_views

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("bench/hello", views.hello, name="bench-hello"),
    path("bench/insert", bench.insert, name="bench-insert"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/", include("api.urls")),
    # A shared link's own address, opened without the language redirect (surveys.links.views).
    path("r/<str:code>/", link_views.referral_open_unprefixed, name="referral_unprefixed"),
]
urlpatterns += i18n_patterns(
    path("", views.home, name="home"),
    path("privacy/", views.privacy, name="privacy"),
    path("", include("surveys.urls")),
    path("organize/<slug:slug>/members/", include("membership.urls")),
    path("organize/<slug:slug>/api-tokens/", include("api.staff_urls")),
    path("organize/<slug:slug>/webhooks/", include("webhooks.urls")),
    path("organize/", include("recruitment.urls")),
    path("organize/", include("incentives.staff_urls")),
    path("", include("incentives.urls")),
    path("analytics/", include("analytics.urls")),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "accounts/password_change/",
        auth_views.PasswordChangeView.as_view(),
        name="password_change",
    ),
    path(
        "accounts/password_change/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path("admin/", admin.site.urls),
    prefix_default_language=True,
)
if settings.EMAIL_HOST:
    # Without a mail server a reset link would be "sent" nowhere and the page would lie.
    urlpatterns += i18n_patterns(
        path("accounts/", include("django.contrib.auth.urls")), prefix_default_language=True
    )

handler400 = "config.views.bad_request"
handler500 = "config.views.server_error"
