"""Error bodies and headers of the JSON API."""

from typing import Any

from rest_framework.response import Response
from rest_framework.views import exception_handler

from portal.api.authentication import REALM
from portal.api.permissions import InsufficientScope


def handle(exc: Exception, context: dict[str, Any]) -> Response | None:
    """Answer as DRF does, adding RFC 6750's header to scope refusals."""
    response = exception_handler(exc, context)
    if response is not None and isinstance(exc, InsufficientScope):
        response["WWW-Authenticate"] = (
            f'Bearer realm="{REALM}", error="insufficient_scope", scope="{exc.scope}"'
        )
    return response
