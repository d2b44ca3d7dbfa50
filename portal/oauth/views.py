"""The OAuth 2.0 endpoints: authorization (consent), token, revocation,
introspection and server metadata.

The protocol work is oauthlib's, through django-oauth-toolkit's core; these
views add what the portal decides: the consent screen, out-of-band codes, the
``iss`` parameter on every authorization response and the error pages that
never redirect to an unverified URI.
"""

import json
import logging
from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse, JsonResponse, QueryDict
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from oauth2_provider.exceptions import OAuthToolkitError
from oauth2_provider.http import OAuth2ResponseRedirect
from oauth2_provider.oauth2_backends import get_oauthlib_core
from oauthlib.common import Request as OAuthlibRequest

from portal.audit.models import SecurityEvent
from portal.audit.services import record
from portal.oauth import redirects, scopes, services
from portal.oauth.bearer import find_live_token
from portal.oauth.models import Application
from portal.ratelimit.scopes import rate_limit_scope

logger = logging.getLogger(__name__)

AUTHORIZE_PARAMS = (
    "client_id",
    "redirect_uri",
    "response_type",
    "state",
    "scope",
    "code_challenge",
    "code_challenge_method",
)


def _issuer() -> str:
    return settings.PORTAL_BASE_URL


def _with_params(uri: str, params: list[tuple[str, str]]) -> str:
    """Add query parameters to a redirect URI, replacing any ``iss`` it had."""
    parts = urlsplit(uri)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)]
    names = {name for name, _value in params}
    query = [(k, v) for k, v in query if k not in names]
    return urlunsplit(parts._replace(query=urlencode([*query, *params])))


def _error_page(request: HttpRequest, message: str, status: int = 400) -> HttpResponse:
    return render(request, "oauth/error.html", {"message": message}, status=status)


def _client_error(
    request: HttpRequest,
    application: Application,
    redirect_uri: str,
    error: str,
    description: str,
    state: str | None,
) -> HttpResponse:
    """Send an authorization error back to a verified redirect URI (RFC 6749
    §4.1.2.1), with ``iss`` (RFC 9207); out-of-band clients see it on a page."""
    if redirects.is_oob(redirect_uri):
        return _error_page(request, description)

    params = [("error", error), ("error_description", description)]
    if state:
        params.append(("state", state))
    params.append(("iss", _issuer()))
    return OAuth2ResponseRedirect(
        _with_params(redirect_uri, params), application.get_allowed_schemes()
    )


def _consent_context(
    request: HttpRequest,
    application: Application,
    params: dict[str, str],
    granted: set[str],
) -> dict[str, Any]:
    return {
        "application": application,
        "redirect_uri": params["redirect_uri"],
        "oob": redirects.is_oob(params["redirect_uri"]),
        "oauth_params": {k: v for k, v in params.items() if v},
        "granted": scopes.to_string(granted).split(),
        "scope_groups": scopes.grouped(granted),
        "already_granted": services.already_granted(
            request.user, application, granted, params["redirect_uri"]
        ),
    }


@sensitive_post_parameters()
@require_http_methods(["GET", "POST"])
@never_cache
@login_required
@rate_limit_scope("oauth-authorize", methods=["POST"])
def authorize(request: HttpRequest) -> HttpResponse:
    """Show the consent screen (GET) and act on the user's decision (POST).

    Until the client and its redirect URI are verified, errors are shown on a
    page and never redirected (RFC 6749 §4.1.2.1).
    """
    source = request.GET if request.method == "GET" else request.POST
    # The consent form sends ``scopes`` once per ticked box: only the protocol's
    # parameters must be single.
    if (name := _repeated_name(source, only=AUTHORIZE_PARAMS)) is not None:
        return _error_page(
            request, _("The request repeats the %(name)s parameter.") % {"name": name}
        )
    params = {name: source.get(name, "") for name in AUTHORIZE_PARAMS}

    application = (
        Application.objects.select_related("user")
        .filter(client_id=params["client_id"][:100])
        .first()
        if params["client_id"] and "\x00" not in params["client_id"]
        else None
    )
    if application is None or not application.is_usable(request):
        return _error_page(request, _("This application is unknown to the pod."))
    redirect_uri = params["redirect_uri"]
    if not redirect_uri or not application.redirect_uri_allowed(redirect_uri):
        return _error_page(
            request,
            _(
                "The application asked to send you to an address it did not register. "
                "For your safety the pod will not follow it."
            ),
        )

    state = params["state"] or None
    if params["response_type"] != "code":
        return _client_error(
            request,
            application,
            redirect_uri,
            "unsupported_response_type",
            _("Only the authorization code flow (response_type=code) is supported."),
            state,
        )
    if params["code_challenge_method"] and not params["code_challenge"]:
        return _client_error(
            request,
            application,
            redirect_uri,
            "invalid_request",
            _("code_challenge_method was sent without a code_challenge."),
            state,
        )
    if params["code_challenge"] and params["code_challenge_method"] != "S256":
        return _client_error(
            request,
            application,
            redirect_uri,
            "invalid_request",
            _("Only the S256 code_challenge_method is supported."),
            state,
        )
    try:
        scopes.parse(params["scope"])
    except scopes.InvalidScope as error:
        return _client_error(
            request, application, redirect_uri, "invalid_scope", str(error), state
        )

    core = get_oauthlib_core()
    try:
        requested, info = core.validate_authorization_request(request)
    except OAuthToolkitError as error:
        oauthlib_error = error.oauthlib_error
        return _client_error(
            request,
            application,
            redirect_uri,
            oauthlib_error.error,
            oauthlib_error.description or oauthlib_error.error,
            state,
        )

    granted = scopes.effective(requested, application.scope_list, request.user)
    if not granted:
        return _client_error(
            request,
            application,
            redirect_uri,
            "invalid_scope",
            _("None of the requested scopes can be granted to this account."),
            state,
        )

    context = _consent_context(request, application, params, granted)
    if request.method == "GET":
        if application.trusted and context["already_granted"]:
            # An admin vouched for the application and the user already granted
            # every scope it asks for: asking again would teach users to click
            # through. Untrusted applications always ask.
            return _decide(
                request, core, application, params, info, granted, context, allow=True
            )
        return render(request, "oauth/consent.html", context)

    return _decide(request, core, application, params, info, granted, context)


def _decide(
    request: HttpRequest,
    core: Any,
    application: Application,
    params: dict[str, str],
    info: dict[str, Any],
    granted: set[str],
    context: dict[str, Any],
    *,
    allow: bool | None = None,
) -> HttpResponse:
    redirect_uri = params["redirect_uri"]
    if allow is None:
        allow = request.POST.get("allow", "").lower() in (
            "1",
            "true",
            "on",
            "yes",
            "allow",
        )
    if not allow:
        record(
            SecurityEvent.Kind.CONSENT_DENIED,
            request=request,
            actor=request.user,
            user=request.user,
            application=application,
        )
        if redirects.is_oob(redirect_uri):
            return _error_page(
                request,
                _("You denied access to %(name)s.") % {"name": application.name},
                status=200,
            )
        return _client_error(
            request,
            application,
            redirect_uri,
            "access_denied",
            _("The user denied access."),
            params["state"] or None,
        )

    kept = granted
    if request.method == "POST" and request.POST.get("partial_consent"):
        kept = set(request.POST.getlist("scopes")) & granted
        if not kept:
            context["consent_error"] = _("Keep at least one permission, or deny.")
            return render(request, "oauth/consent.html", context, status=400)

    credentials = {
        key: info[key]
        for key in (
            "client_id",
            "redirect_uri",
            "response_type",
            "state",
            "code_challenge",
            "code_challenge_method",
        )
        if info.get(key)
    }
    first = not services.holds_authorization(request.user, application)
    try:
        uri, _headers, _body, _status = core.create_authorization_response(
            request,
            scopes=scopes.to_string(kept).split(),
            credentials=credentials,
            allow=True,
        )
    except OAuthToolkitError as error:
        oauthlib_error = error.oauthlib_error
        return _client_error(
            request,
            application,
            redirect_uri,
            oauthlib_error.error,
            oauthlib_error.description or oauthlib_error.error,
            params["state"] or None,
        )

    record(
        SecurityEvent.Kind.CONSENT_GRANTED,
        request=request,
        actor=request.user,
        user=request.user,
        application=application,
        detail={"scopes": scopes.to_string(kept).split(), "first": first},
    )
    code = dict(parse_qsl(urlsplit(uri).query)).get("code", "")
    if request.headers.get("X-Requested-With") == "XMLHttpRequest":
        return JsonResponse({"redirect_uri": uri, "code": code})
    if redirects.is_oob(redirect_uri):
        response = render(
            request,
            "oauth/oob.html",
            {
                "application": application,
                "code": code,
                "auto": redirect_uri == redirects.OOB_AUTO,
                "lifetime_minutes": max(1, settings.PORTAL_CODE_SECONDS // 60),
            },
        )
        return response
    return OAuth2ResponseRedirect(uri, application.get_allowed_schemes())


def _repeated_name(*sources: QueryDict, only: tuple[str, ...] = ()) -> str | None:
    """Return the first parameter sent more than once (RFC 6749 §3.1, §3.2)."""
    for source in sources:
        for name, values in source.lists():
            if len(values) > 1 and (not only or name in only):
                return name
    return None


def refuses_repeated_parameters(
    view: Callable[[HttpRequest], HttpResponse],
) -> Callable[[HttpRequest], HttpResponse]:
    """Answer 400 ``invalid_request`` to a request that repeats a parameter.

    oauthlib checks only some parameters; with two codes or two tokens an
    endpoint would act on whichever value the parser kept last.
    """

    @wraps(view)
    def wrapper(request: HttpRequest) -> HttpResponse:
        name = _repeated_name(request.GET, request.POST)
        if name is not None:
            body = {
                "error": "invalid_request",
                "error_description": f"The request repeats the {name} parameter.",
            }
            return _oauth_response(json.dumps(body), 400, {})
        return view(request)

    return wrapper


def _oauth_response(body: str, status: int, headers: dict[str, str]) -> HttpResponse:
    response = HttpResponse(body, status=status, content_type="application/json")
    for name, value in headers.items():
        if name.lower() != "content-type":
            response[name] = value
    response["Cache-Control"] = "no-store"
    response["Pragma"] = "no-cache"
    return response


@csrf_exempt
@sensitive_post_parameters()
@require_POST
@rate_limit_scope("oauth-token")
@refuses_repeated_parameters
def token(request: HttpRequest) -> HttpResponse:
    """Exchange a code or a refresh token for tokens (RFC 6749 §4.1.3, §6).

    The exchange runs in one transaction that locks the code or refresh token
    it redeems, so concurrent redemptions give one success.
    """
    core = get_oauthlib_core()
    with transaction.atomic():
        _url, headers, body, status = core.create_token_response(request)
    return _oauth_response(body, status, headers)


@csrf_exempt
@sensitive_post_parameters()
@require_POST
@rate_limit_scope("oauth-revoke-token")
@refuses_repeated_parameters
def revoke(request: HttpRequest) -> HttpResponse:
    """Revoke a token of the authenticated client (RFC 7009)."""
    core = get_oauthlib_core()
    with transaction.atomic():
        _url, headers, body, status = core.create_revocation_response(request)
    return _oauth_response(body or "{}", status, headers)


def _authenticated_client(request: HttpRequest) -> Application | None:
    core = get_oauthlib_core()
    oauthlib_request = OAuthlibRequest(
        request.build_absolute_uri(),
        http_method="POST",
        body=core.extract_body(request),
        headers=core.extract_headers(request),
    )
    validator = core.server.request_validator
    if validator.authenticate_client(oauthlib_request):
        return oauthlib_request.client
    return None


@csrf_exempt
@sensitive_post_parameters()
@require_POST
@rate_limit_scope("oauth-token")
@refuses_repeated_parameters
def introspect(request: HttpRequest) -> HttpResponse:
    """Describe a token to the client it was issued to (RFC 7662).

    The client must authenticate; a token of another client is reported
    inactive, like an unknown one, so introspection cannot probe tokens.
    """
    client = _authenticated_client(request)
    if client is None:
        response = JsonResponse({"error": "invalid_client"}, status=401)
        response["WWW-Authenticate"] = 'Basic realm="oauth"'
        response["Cache-Control"] = "no-store"
        return response
    raw = request.POST.get("token", "")
    if not raw:
        return _oauth_response(
            json.dumps({"error": "invalid_request", "error_description": "token"}),
            400,
            {},
        )

    found = find_live_token(raw)
    if found is None or found.application_id != client.pk:
        return _oauth_response(json.dumps({"active": False}), 200, {})

    # The bearer path loads no dates; introspection needs two.
    found.refresh_from_db(fields=["created", "expires"])
    body: dict[str, Any] = {
        "active": True,
        "scope": found.scope,
        "client_id": client.client_id,
        "username": found.user.get_username(),
        "sub": str(found.user_id),
        "token_type": "Bearer",
        "iat": int(found.created.timestamp()),
        "iss": _issuer(),
    }
    if found.expires is not None:
        body["exp"] = int(found.expires.timestamp())
    return _oauth_response(json.dumps(body), 200, {})


@require_GET
def metadata(request: HttpRequest) -> JsonResponse:
    """Publish the authorization server metadata (RFC 8414)."""
    base = _issuer()
    return JsonResponse(
        {
            "issuer": base,
            "authorization_endpoint": base + reverse("oauth:authorize"),
            "token_endpoint": base + reverse("oauth:token"),
            "revocation_endpoint": base + reverse("oauth:revoke"),
            "introspection_endpoint": base + reverse("oauth:introspect"),
            "scopes_supported": sorted(scopes.ALL_IDS),
            "response_types_supported": ["code"],
            "response_modes_supported": ["query"],
            "grant_types_supported": ["authorization_code", "refresh_token"],
            "token_endpoint_auth_methods_supported": [
                "client_secret_basic",
                "client_secret_post",
            ],
            "revocation_endpoint_auth_methods_supported": [
                "client_secret_basic",
                "client_secret_post",
            ],
            "introspection_endpoint_auth_methods_supported": [
                "client_secret_basic",
                "client_secret_post",
            ],
            "code_challenge_methods_supported": ["S256"],
            "authorization_response_iss_parameter_supported": True,
            "service_documentation": base + reverse("api-docs"),
        }
    )
