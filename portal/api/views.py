"""The JSON API: OAuth applications, authorized applications and the caller.

Callers authenticate with a session (CSRF-protected by DRF) or a bearer token;
a token needs the scope in each view's ``required_scopes`` (RFC 6750 §3.1). The
views validate with the serializers and act through ``portal.oauth.services``.
Client secrets and tokens are shown once, in the response that creates them,
and never again.
"""

from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from portal.api import serializers
from portal.api.permissions import TokenHasScope
from portal.oauth import scopes, services
from portal.oauth.models import AccessToken, Application

# The longest client id the portal stores (``Application.client_id``).
CLIENT_ID_MAX_LENGTH = 100

SECURITY_SCOPES = {
    "GET": "read:security",
    "POST": "write:security",
    "PUT": "write:security",
    "PATCH": "write:security",
    "DELETE": "write:security",
}


class BearerAuthenticationScheme(OpenApiAuthenticationExtension):
    """Describe ``BearerAuthentication`` in the schema as an HTTP bearer scheme."""

    target_class = "portal.api.authentication.BearerAuthentication"
    name = "bearerAuth"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {
            "type": "http",
            "scheme": "bearer",
            "description": (
                "An OAuth access token (pod_at_…) or a personal token (pod_pt_…) "
                "in the Authorization header; never in the query string."
            ),
        }


# Responses shared by the schema annotations.
BAD_REQUEST = OpenApiResponse(
    serializers.ApplicationErrorSerializer,
    description="Invalid input: field errors, or a detail for an unreadable body.",
)
UNAUTHENTICATED = OpenApiResponse(
    serializers.DetailErrorSerializer,
    description=(
        "No credentials, or a token that is unknown, expired or revoked "
        '(WWW-Authenticate: Bearer realm="api", error="invalid_token").'
    ),
)
FORBIDDEN = OpenApiResponse(
    serializers.DetailErrorSerializer,
    description=(
        "The token lacks the scope the operation needs (WWW-Authenticate: "
        'Bearer error="insufficient_scope", scope="…"), or the CSRF check of a '
        "session request failed."
    ),
)
NOT_FOUND = OpenApiResponse(
    serializers.DetailErrorSerializer,
    description="No such application for this caller.",
)
# Operations open to anonymous callers list "no authentication" too.
ANYONE = [{"bearerAuth": []}, {"cookieAuth": []}, {}]
THROTTLED = OpenApiResponse(
    serializers.ThrottledSerializer,
    description="The rate limit is reached; Retry-After says when to try again.",
)
TOO_LARGE = OpenApiResponse(
    serializers.DetailErrorSerializer,
    description="The body is larger than the pod accepts (256 KiB by default).",
)


def _no_store(response: Response) -> Response:
    # RFC 6749 §5.1: a response carrying a credential must not be cached.
    response["Cache-Control"] = "no-store"
    response["Pragma"] = "no-cache"
    return response


def _find_application(client_id: str) -> Application | None:
    if not client_id or len(client_id) > CLIENT_ID_MAX_LENGTH or "\x00" in client_id:
        return None

    return Application.objects.filter(client_id=client_id).first()


def _is_owner(request: Request, application: Application) -> bool:
    user = request.user
    return (
        user.is_authenticated
        and application.user_id is not None
        and application.user_id == user.pk
    )


def _readable_application(request: Request, client_id: str) -> Application:
    """Return the application anyone may read; a disabled one only its owner."""
    application = _find_application(client_id)
    if application is None:
        raise NotFound()

    if application.disabled_at is not None and not _is_owner(request, application):
        raise NotFound()

    return application


def _owned_application(request: Request, client_id: str) -> Application:
    """Return the caller's own application; 404 for anyone else's."""
    application = _find_application(client_id)
    if application is None or not _is_owner(request, application):
        raise NotFound()

    return application


class ApplicationPagination(PageNumberPagination):
    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 100


class ApplicationViewSet(viewsets.GenericViewSet):
    """Register OAuth applications and manage one's own.

    Registration is open to anonymous callers, like Funkwhale's; a signed-in
    caller becomes the owner and receives a personal token. Only the owner sees
    the redirect URIs and may change, delete or re-issue; a client secret or a
    token is never shown twice.
    """

    lookup_field = "client_id"
    pagination_class = ApplicationPagination
    serializer_class = serializers.ApplicationSerializer
    required_scopes = SECURITY_SCOPES
    rate_limit_scopes = {
        "create": {
            "anonymous": "anonymous-oauth-app",
            "authenticated": "authenticated-oauth-app",
        },
        # A new personal token is a new credential: counted like a creation.
        "refresh_token": {
            "anonymous": "anonymous-create",
            "authenticated": "authenticated-create",
        },
    }

    def get_permissions(self) -> list[permissions.BasePermission]:
        if self.action in ("create", "retrieve"):
            return [TokenHasScope()]
        return [permissions.IsAuthenticated(), TokenHasScope()]

    def get_queryset(self) -> QuerySet[Application]:
        return Application.objects.filter(user=self.request.user).order_by(
            "-created", "-pk"
        )

    def get_object(self) -> Application:
        # DRF's OPTIONS metadata looks the object up too: through the same check.
        return _owned_application(self.request, self.kwargs["client_id"])

    @extend_schema(
        summary="List your applications",
        responses={
            200: serializers.ApplicationSerializer(many=True),
            401: UNAUTHENTICATED,
            403: FORBIDDEN,
            404: OpenApiResponse(
                serializers.DetailErrorSerializer, description="No such page."
            ),
            429: THROTTLED,
        },
    )
    def list(self, request: Request) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        data = serializers.ApplicationSerializer(page, many=True).data
        return self.get_paginated_response(data)

    @extend_schema(
        summary="Register an application",
        description=(
            "Anyone may register. A signed-in caller (session, or a token with "
            "write:security) owns the application and receives a personal token."
        ),
        request=serializers.ApplicationCreateSerializer,
        auth=ANYONE,
        responses={
            201: serializers.ApplicationCreatedSerializer,
            400: BAD_REQUEST,
            413: TOO_LARGE,
            401: UNAUTHENTICATED,
            403: FORBIDDEN,
            429: THROTTLED,
        },
    )
    def create(self, request: Request) -> Response:
        form = serializers.ApplicationCreateSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        owner = request.user if request.user.is_authenticated else None

        # One transaction: an owner never ends up with an application whose
        # personal token was lost on the way.
        with transaction.atomic():
            application, secret = services.create_application(
                name=form.validated_data["name"],
                redirect_uris=form.validated_data["redirect_uris"],
                scope_ids=form.validated_data["scopes"],
                owner=owner,
                request=request,
            )
            application.revealed_client_secret = secret
            if owner is not None:
                _token, raw = services.issue_personal_token(
                    application, owner, request=request
                )
                application.revealed_token = raw

        data = serializers.ApplicationCreatedSerializer(application).data
        return _no_store(Response(data, status=status.HTTP_201_CREATED))

    @extend_schema(
        summary="Read an application",
        description=(
            "Anyone may read an application; its owner also sees the redirect "
            "URIs. Neither a client secret nor a token is ever returned."
        ),
        auth=ANYONE,
        responses={
            200: serializers.ApplicationDetailSerializer,
            401: UNAUTHENTICATED,
            403: FORBIDDEN,
            404: NOT_FOUND,
            429: THROTTLED,
        },
    )
    def retrieve(self, request: Request, client_id: str) -> Response:
        application = _readable_application(request, client_id)
        if _is_owner(request, application):
            serializer_class = serializers.OwnedApplicationSerializer
        else:
            serializer_class = serializers.ApplicationSerializer
        return Response(serializer_class(application).data)

    @extend_schema(
        summary="Replace an application's name, redirect URIs and scopes",
        description="Narrowing the scopes narrows the application's live tokens.",
        request=serializers.ApplicationWriteSerializer,
        responses={
            200: serializers.OwnedApplicationSerializer,
            400: BAD_REQUEST,
            413: TOO_LARGE,
            401: UNAUTHENTICATED,
            403: FORBIDDEN,
            404: NOT_FOUND,
            429: THROTTLED,
        },
    )
    def update(self, request: Request, client_id: str) -> Response:
        return self._change(request, client_id, partial=False)

    @extend_schema(
        summary="Change an application",
        description="Narrowing the scopes narrows the application's live tokens.",
        request=serializers.ApplicationWriteSerializer(partial=True),
        responses={
            200: serializers.OwnedApplicationSerializer,
            400: BAD_REQUEST,
            413: TOO_LARGE,
            401: UNAUTHENTICATED,
            403: FORBIDDEN,
            404: NOT_FOUND,
            429: THROTTLED,
        },
    )
    def partial_update(self, request: Request, client_id: str) -> Response:
        return self._change(request, client_id, partial=True)

    def _change(self, request: Request, client_id: str, *, partial: bool) -> Response:
        application = _owned_application(request, client_id)
        form = serializers.ApplicationWriteSerializer(
            data=request.data, partial=partial
        )
        form.is_valid(raise_exception=True)

        try:
            services.update_application(
                application,
                actor=request.user,
                request=request,
                name=form.validated_data.get("name"),
                redirect_uris=form.validated_data.get("redirect_uris"),
                scope_ids=form.validated_data.get("scopes"),
            )
        except Application.DoesNotExist:
            raise NotFound() from None
        return Response(serializers.OwnedApplicationSerializer(application).data)

    @extend_schema(
        summary="Delete an application",
        description="Its tokens, refresh tokens and pending codes go with it.",
        responses={
            204: OpenApiResponse(description="Deleted."),
            401: UNAUTHENTICATED,
            403: FORBIDDEN,
            404: NOT_FOUND,
            429: THROTTLED,
        },
    )
    def destroy(self, request: Request, client_id: str) -> Response:
        application = _owned_application(request, client_id)
        if not services.delete_application(
            application, actor=request.user, request=request
        ):
            raise NotFound()

        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        summary="Issue a new personal token",
        description=(
            "Revokes the caller's previous personal token for the application and "
            "returns a new one, shown this once."
        ),
        request=None,
        responses={
            200: serializers.ApplicationWithTokenSerializer,
            401: UNAUTHENTICATED,
            403: FORBIDDEN,
            404: NOT_FOUND,
            429: THROTTLED,
        },
    )
    @action(detail=True, methods=["post"], url_path="refresh-token")
    def refresh_token(self, request: Request, client_id: str) -> Response:
        application = _owned_application(request, client_id)
        try:
            _token, raw = services.issue_personal_token(
                application, request.user, request=request
            )
        except Application.DoesNotExist:
            raise NotFound() from None
        application.revealed_token = raw

        data = serializers.ApplicationWithTokenSerializer(application).data
        return _no_store(Response(data))


class GrantViewSet(viewsets.GenericViewSet):
    """The applications the caller authorized through OAuth, and revoking them."""

    lookup_field = "client_id"
    pagination_class = None
    serializer_class = serializers.GrantSerializer
    permission_classes = [permissions.IsAuthenticated, TokenHasScope]
    required_scopes = {"GET": "read:security", "DELETE": "write:security"}

    @extend_schema(
        summary="List the applications you authorized",
        responses={
            200: serializers.GrantSerializer(many=True),
            401: UNAUTHENTICATED,
            403: FORBIDDEN,
            429: THROTTLED,
        },
    )
    def list(self, request: Request) -> Response:
        entries = services.authorized_applications(request.user)
        return Response(serializers.GrantSerializer(entries, many=True).data)

    @extend_schema(
        summary="Revoke an application's access",
        description=(
            "Revokes every access token, refresh token and pending code of the "
            "application for the caller only. Personal tokens are not affected."
        ),
        responses={
            204: OpenApiResponse(description="Revoked."),
            401: UNAUTHENTICATED,
            403: FORBIDDEN,
            404: OpenApiResponse(
                serializers.DetailErrorSerializer,
                description="The caller holds nothing for this application.",
            ),
            429: THROTTLED,
        },
    )
    def destroy(self, request: Request, client_id: str) -> Response:
        application = _find_application(client_id)
        if application is None or not services.holds_authorization(
            request.user, application
        ):
            raise NotFound()

        services.revoke_authorization(
            request.user, application, actor=request.user, request=request
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


class MeView(APIView):
    """The caller's account: a protected resource for clients to try a token."""

    permission_classes = [permissions.IsAuthenticated, TokenHasScope]
    required_scopes = {"GET": "read:profile"}

    @extend_schema(
        summary="Read your account",
        responses={
            200: serializers.MeSerializer,
            401: UNAUTHENTICATED,
            403: FORBIDDEN,
            429: THROTTLED,
        },
    )
    def get(self, request: Request) -> Response:
        token = request.auth
        if isinstance(token, AccessToken):
            held = token.scope.split()
        else:
            held = scopes.to_string(scopes.user_may_hold(request.user)).split()

        data = serializers.MeSerializer(request.user, context={"scopes": held}).data
        return Response(data)
