"""DRF authentication over the portal's one bearer-token path."""

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication
from rest_framework.request import Request

REALM = "api"


class BearerAuthentication(BaseAuthentication):
    """Authenticate with the token ``BearerTokenMiddleware`` already resolved.

    A request without a Bearer header is left to the next class (sessions); one
    with an unusable token is refused with 401 ``invalid_token`` (RFC 6750 §3.1).
    """

    def authenticate(self, request: Request) -> tuple[Any, Any] | None:
        django_request = request._request
        token = getattr(django_request, "oauth_token", None)
        if token is not None:
            return token.user, token
        error = getattr(django_request, "bearer_error", None)
        if error == "invalid_request":
            raise exceptions.AuthenticationFailed(_("Malformed Authorization header."))
        if error is not None:
            raise exceptions.AuthenticationFailed(
                _("The access token is unknown, expired or revoked.")
            )
        return None

    def authenticate_header(self, request: Request) -> str:
        error = getattr(request._request, "bearer_error", None)
        if error is None:
            return f'Bearer realm="{REALM}"'
        return f'Bearer realm="{REALM}", error="{error}"'
