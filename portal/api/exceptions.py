"""Error bodies and headers of the JSON API."""

from typing import Any

from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent
from django.utils.translation import gettext as _
from rest_framework.response import Response
from rest_framework.views import exception_handler

from portal.api.authentication import REALM
from portal.api.permissions import InsufficientScope


def handle(exc: Exception, context: dict[str, Any]) -> Response | None:
    """Answer as DRF does, adding RFC 6750's header to scope refusals.

    A body over ``DATA_UPLOAD_MAX_MEMORY_SIZE`` or with too many fields gets a
    JSON 413 or 400 like any other API error, instead of Django's HTML page for
    a suspicious request.
    """
    if isinstance(exc, RequestDataTooBig):
        return Response({"detail": _("The request body is too large.")}, status=413)
    if isinstance(exc, TooManyFieldsSent):
        return Response({"detail": _("The request has too many fields.")}, status=400)

    response = exception_handler(exc, context)
    if response is not None and isinstance(exc, InsufficientScope):
        response["WWW-Authenticate"] = (
            f'Bearer realm="{REALM}", error="insufficient_scope", scope="{exc.scope}"'
        )
    return response
