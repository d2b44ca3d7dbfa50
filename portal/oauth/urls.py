from django.urls import URLPattern, path

from portal.oauth import views

app_name = "oauth"


def _slash_optional(route: str, view, name: str) -> list[URLPattern]:
    """Answer ``route`` with and without its trailing slash; reverse with it."""
    return [path(route, view, name=name), path(route.rstrip("/"), view)]


urlpatterns = [
    path("authorize", views.authorize, name="authorize"),
    path("authorize/", views.authorize),
    *_slash_optional("api/v1/oauth/authorize/", views.authorize, "authorize-api"),
    *_slash_optional("api/v1/oauth/token/", views.token, "token"),
    *_slash_optional("api/v1/oauth/revoke/", views.revoke, "revoke"),
    *_slash_optional("api/v1/oauth/introspect/", views.introspect, "introspect"),
    path(
        ".well-known/oauth-authorization-server",
        views.metadata,
        name="metadata",
    ),
]
