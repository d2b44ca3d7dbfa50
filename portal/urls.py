from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("", include("portal.web.urls")),
    path("accounts/", include("portal.accounts.urls")),
    path("admin/", admin.site.urls),
]
