"""One minimal JSON view behind three stacks, for side-by-side timing."""

from typing import Any

from oauth2_provider.contrib.rest_framework import OAuth2Authentication
from oauth2_provider.contrib.rest_framework import TokenHasScope as StockTokenHasScope
from oauth2_provider.oauth2_backends import OAuthLibCore
from oauth2_provider.oauth2_validators import OAuth2Validator
from oauthlib.oauth2 import Server
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import UserRateThrottle
from rest_framework.views import APIView

from portal.api.authentication import BearerAuthentication
from portal.api.permissions import TokenHasScope

PAYLOAD = {"ok": True}


class Floor(APIView):
    """(a) No authentication, no permission, no throttling."""

    authentication_classes: list = []
    permission_classes: list = []
    throttle_classes: list = []
    rate_limit_exempt = True

    def get(self, request: Request) -> Response:
        return Response(PAYLOAD)


class PortalBearer(Floor):
    """(b) The portal's path: token lookup, scope check, rate-limit counting and
    headers (by the portal's middleware), last-used bookkeeping."""

    authentication_classes = [BearerAuthentication]
    permission_classes = [TokenHasScope]
    required_scopes = {"GET": "read:profile"}
    rate_limit_exempt = False


# django-oauth-toolkit out of the box: its own validator, not the portal's.
_stock_core = OAuthLibCore(Server(OAuth2Validator()))


class StockOAuth2Authentication(OAuth2Authentication):
    def authenticate(self, request: Request) -> tuple[Any, Any] | None:
        valid, oauthlib_request = _stock_core.verify_request(request, scopes=[])
        if valid:
            return oauthlib_request.user, oauthlib_request.access_token
        request.oauth2_error = getattr(oauthlib_request, "oauth2_error", {})
        return None


class Stock(Floor):
    """(c) Stock django-oauth-toolkit + DRF, as a pod would set them up."""

    authentication_classes = [StockOAuth2Authentication]
    permission_classes = [StockTokenHasScope]
    throttle_classes = [UserRateThrottle]
    required_scopes = ["read:profile"]
