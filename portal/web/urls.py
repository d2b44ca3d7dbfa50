from django.urls import path

from portal.web import views

app_name = "web"

urlpatterns = [
    path("", views.home, name="home"),
    path("settings/", views.settings_home, name="settings_home"),
    path("settings/applications/", views.applications, name="applications"),
    path("settings/applications/new", views.application_new, name="application_new"),
    path(
        "settings/applications/authorized/revoke",
        views.authorized_revoke_all,
        name="authorized_revoke_all",
    ),
    path(
        "settings/applications/authorized/<str:client_id>/revoke",
        views.authorized_revoke,
        name="authorized_revoke",
    ),
    path(
        "settings/applications/<str:client_id>/",
        views.application_detail,
        name="application_detail",
    ),
    path(
        "settings/applications/<str:client_id>/regenerate-token",
        views.application_regenerate_token,
        name="application_regenerate_token",
    ),
    path(
        "settings/applications/<str:client_id>/regenerate-secret",
        views.application_regenerate_secret,
        name="application_regenerate_secret",
    ),
    path(
        "settings/applications/<str:client_id>/delete",
        views.application_delete,
        name="application_delete",
    ),
]
