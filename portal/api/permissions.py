"""Scope checks for API views.

A view declares ``required_scopes``: a mapping from HTTP method to the scope a
token needs, e.g. ``{"GET": "read:security", "POST": "write:security"}``. A
token lacking it is refused with 403 ``insufficient_scope`` naming the scope
(RFC 6750 §3.1). Session users are checked by the view's own rules only.
"""

from typing import Any

from django.utils.translation import gettext as _
from rest_framework import exceptions, permissions
from rest_framework.request import Request

from portal.oauth import scopes
from portal.oauth.models import AccessToken


class InsufficientScope(exceptions.PermissionDenied):
    def __init__(self, scope: str) -> None:
        super().__init__(
            _("This token lacks the %(scope)s scope.") % {"scope": scope},
            code="insufficient_scope",
        )
        self.scope = scope


def required_scope(view: Any, method: str) -> str | None:
    mapping = getattr(view, "required_scopes", None) or {}
    if method == "HEAD":
        method = "GET"
    return mapping.get(method)


class TokenHasScope(permissions.BasePermission):
    """Let a bearer token through only with the scope its view requires."""

    def has_permission(self, request: Request, view: Any) -> bool:
        token = request.auth
        if not isinstance(token, AccessToken):
            return True

        needed = required_scope(view, request.method)
        if needed is None:
            return True
        if needed not in scopes.leaves_of(token.scope):
            raise InsufficientScope(needed)
        return True
