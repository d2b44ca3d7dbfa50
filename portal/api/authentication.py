"""DRF authentication over the portal's one bearer-token path."""

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication
from rest_framework.request import Request

from portal.oauth.bearer import bearer_error, resolve

REALM = "api"


class BearerAuthentication(BaseAuthentication):
    """Authenticate with the token of the portal's one bearer path.

    A request without a Bearer header is left to the next class (sessions); one
    with an unusable token is refused with 401 ``invalid_token`` (RFC 6750 §3.1).
    """

    def authenticate(self, request: Request) -> tuple[Any, Any] | None:
        token = resolve(request._request)
        if token is not None:
            return token.user, token
        error = bearer_error(request._request)
        if error == "invalid_request":
            raise exceptions.AuthenticationFailed(_("Malformed Authorization header."))
        if error is not None:
            raise exceptions.AuthenticationFailed(
                _("The access token is unknown, expired or revoked.")
            )
        return None

    def authenticate_header(self, request: Request) -> str:
        error = bearer_error(request._request)
        if error is None:
            return f'Bearer realm="{REALM}"'
        return f'Bearer realm="{REALM}", error="{error}"'
