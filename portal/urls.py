from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

urlpatterns = [
    path("api/v1/rate-limit/", include("portal.ratelimit.urls")),
    path("api/v1/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path(
        "api/v1/docs/",
        SpectacularSwaggerSplitView.as_view(url_name="api-schema"),
        name="api-docs",
    ),
    path("api/v1/", include("portal.api.urls")),
    path("", include("portal.oauth.urls")),
    path("settings/security/", include("portal.audit.urls")),
    path("", include("portal.web.urls")),
    path("accounts/", include("portal.accounts.urls")),
    path("admin/", admin.site.urls),
]
