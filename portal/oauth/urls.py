from django.urls import path, re_path

from portal.oauth import views

app_name = "oauth"

urlpatterns = [
    re_path(r"^authorize/?$", views.authorize, name="authorize"),
    re_path(r"^api/v1/oauth/authorize/?$", views.authorize, name="authorize-api"),
    re_path(r"^api/v1/oauth/token/?$", views.token, name="token"),
    re_path(r"^api/v1/oauth/revoke/?$", views.revoke, name="revoke"),
    re_path(r"^api/v1/oauth/introspect/?$", views.introspect, name="introspect"),
    path(
        ".well-known/oauth-authorization-server",
        views.metadata,
        name="metadata",
    ),
]
