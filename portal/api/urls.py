"""Routes of the JSON API, mounted at /api/v1/; a trailing slash is optional."""

from django.urls import re_path

from portal.api import views

app_name = "api"

CLIENT_ID = r"(?P<client_id>[^/]+)"

application_list = views.ApplicationViewSet.as_view({"get": "list", "post": "create"})
application_detail = views.ApplicationViewSet.as_view(
    {
        "get": "retrieve",
        "put": "update",
        "patch": "partial_update",
        "delete": "destroy",
    }
)
application_refresh_token = views.ApplicationViewSet.as_view({"post": "refresh_token"})
grant_list = views.GrantViewSet.as_view({"get": "list"})
grant_detail = views.GrantViewSet.as_view({"delete": "destroy"})

urlpatterns = [
    re_path(r"^oauth/apps/?$", application_list, name="application-list"),
    re_path(
        rf"^oauth/apps/{CLIENT_ID}/refresh-token/?$",
        application_refresh_token,
        name="application-refresh-token",
    ),
    re_path(
        rf"^oauth/apps/{CLIENT_ID}/?$", application_detail, name="application-detail"
    ),
    re_path(r"^oauth/grants/?$", grant_list, name="grant-list"),
    re_path(rf"^oauth/grants/{CLIENT_ID}/?$", grant_detail, name="grant-detail"),
    re_path(r"^users/me/?$", views.MeView.as_view(), name="me"),
]
