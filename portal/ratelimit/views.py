from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import gettext as _
from drf_spectacular.utils import (
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    inline_serializer,
)
from rest_framework import serializers
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


@extend_schema_field({"oneOf": [{"type": "integer"}, {"type": "string"}]})
class _IdentIdField(serializers.Field):
    """A user id (integer) or a client address (string)."""


_BUDGET = inline_serializer(
    "RateLimitBudget",
    {
        "enabled": serializers.BooleanField(),
        "ident": inline_serializer(
            "RateLimitIdent",
            {
                "type": serializers.CharField(help_text="anonymous or authenticated."),
                "id": _IdentIdField(help_text="The user id, or the client address."),
            },
        ),
        "scopes": inline_serializer(
            "RateLimitScope",
            {
                "id": serializers.CharField(),
                "rate": serializers.CharField(help_text="count/period, e.g. 100/h."),
                "description": serializers.CharField(),
                "limit": serializers.IntegerField(),
                "duration": serializers.IntegerField(
                    help_text="Window length in seconds."
                ),
                "remaining": serializers.IntegerField(),
                "available": serializers.IntegerField(
                    help_text="Epoch second from which one more request is accepted."
                ),
                "available_seconds": serializers.IntegerField(),
                "reset": serializers.IntegerField(
                    help_text="Epoch second the window ends."
                ),
                "reset_seconds": serializers.IntegerField(),
            },
            many=True,
        ),
    },
)
_DETAIL = inline_serializer("RateLimitError", {"detail": serializers.CharField()})


# Reading one's budget is not counted: it would change the numbers it reports.
@extend_schema(
    summary="Read your rate-limit budget",
    description=(
        "The caller's budget in every scope that applies to it. Reading it is not "
        "counted."
    ),
    auth=[{"bearerAuth": []}, {"cookieAuth": []}, {}],
    responses={
        200: _BUDGET,
        401: OpenApiResponse(
            _DETAIL, description="A Bearer token that is malformed, unknown or revoked."
        ),
        503: OpenApiResponse(
            _DETAIL, description="The rate-limit counters cannot be reached."
        ),
    },
)
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
