from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import gettext as _
from rest_framework.authentication import SessionAuthentication
from rest_framework.decorators import (
    api_view,
    authentication_classes,
    permission_classes,
    renderer_classes,
)
from rest_framework.permissions import AllowAny
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response

from portal.api.authentication import BearerAuthentication
from portal.ratelimit.identity import request_ident
from portal.ratelimit.rates import SCOPES
from portal.ratelimit.scopes import rate_limit_exempt
from portal.ratelimit.services import StoreUnavailable, peek, rate_for


# Reading one's budget is not counted: it would change the numbers it reports.
@rate_limit_exempt
@api_view(["GET"])
@authentication_classes([BearerAuthentication, SessionAuthentication])
@permission_classes([AllowAny])
@renderer_classes([JSONRenderer])
def rate_limit(request: Request) -> Response:
    django_request: HttpRequest = request._request
    ident = request_ident(django_request)
    other_kind = "anonymous" if ident.type == "authenticated" else "authenticated"
    scopes = sorted(s for s in SCOPES if not s.startswith(f"{other_kind}-"))
    try:
        decisions = peek(scopes, ident.key)
    except StoreUnavailable:
        return Response(
            {"detail": _("Rate-limit counters are unavailable right now.")},
            status=503,
        )

    return Response(
        {
            "enabled": settings.THROTTLING_ENABLED,
            "ident": {"type": ident.type, "id": ident.id},
            "scopes": [
                {
                    "id": decision.scope,
                    "rate": str(rate_for(decision.scope)),
                    "description": str(SCOPES[decision.scope][1]),
                    "limit": decision.limit,
                    "duration": decision.duration,
                    "remaining": decision.remaining,
                    "available": decision.available,
                    "available_seconds": decision.available_seconds,
                    "reset": decision.reset,
                    "reset_seconds": decision.reset_seconds,
                }
                for decision in decisions
            ],
        }
    )
