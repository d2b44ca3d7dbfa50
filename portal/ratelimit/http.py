"""Rate limiting at the HTTP level: counting a request, headers and refusals."""

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from portal.ratelimit.forms import wait_text
from portal.ratelimit.identity import Ident
from portal.ratelimit.services import Decision, StoreUnavailable, hit
from portal.ratelimit.signals import rate_limit_exceeded

# Seconds a client is asked to wait when the store is down and the limiter fails
# closed.
UNAVAILABLE_RETRY_AFTER = 60


def count_request(
    request: HttpRequest, scope: str, ident: Ident
) -> HttpResponse | None:
    """Count ``request`` in ``scope`` for ``ident``; return a refusal or None.

    The decision is kept on ``request.rate_limit`` for the response headers.
    """
    try:
        decision = hit(scope, ident.key)
    except StoreUnavailable:
        return service_unavailable(request)
    if decision is None:
        return None

    request.rate_limit = decision  # type: ignore[attr-defined]
    if decision.allowed:
        return None

    _announce(request, decision, ident.key)
    return too_many_requests(request, decision)


def limit_extra(request: HttpRequest, scope: str, ident: str) -> Decision | None:
    """Count ``request`` once more in ``scope``, for another identity.

    Return the decision when that limit is reached, else None. A refusal becomes
    the request's decision, so the response's headers and ``Retry-After`` tell
    the client about the limit that refused it.
    """
    try:
        decision = hit(scope, ident)
    except StoreUnavailable:
        # The middleware answers for the store; it is rarely down in between.
        return None
    if decision is None or decision.allowed:
        return None

    request.rate_limit = decision  # type: ignore[attr-defined]
    _announce(request, decision, ident)
    return decision


def refusal(request: HttpRequest) -> Decision | None:
    """Return the decision that refuses ``request``, or None when it may proceed."""
    decision: Decision | None = getattr(request, "rate_limit", None)
    if decision is None or decision.allowed:
        return None
    return decision


def add_headers(response: HttpResponse, decision: Decision) -> None:
    """Tell the client its budget in ``scope`` after this request."""
    response["X-RateLimit-Scope"] = decision.scope
    response["X-RateLimit-Limit"] = str(decision.limit)
    response["X-RateLimit-Remaining"] = str(decision.remaining)
    response["X-RateLimit-Duration"] = str(decision.duration)
    response["X-RateLimit-Reset"] = str(decision.reset)
    response["X-RateLimit-ResetSeconds"] = str(decision.reset_seconds)
    # draft-ietf-httpapi-ratelimit-headers: policy and current state.
    response["RateLimit-Policy"] = (
        f'"{decision.scope}";q={decision.limit};w={decision.duration}'
    )
    response["RateLimit"] = (
        f'"{decision.scope}";r={decision.remaining};t={decision.reset_seconds}'
    )
    if not decision.allowed:
        response["Retry-After"] = str(max(1, decision.reset_seconds))


def wants_json(request: HttpRequest) -> bool:
    """Tell API and machine clients from browsers: only browsers ask for HTML."""
    if request.path.startswith("/api/"):
        return True
    if request.headers.get("HX-Request"):
        return False
    return "text/html" not in request.headers.get("Accept", "")


def too_many_requests(request: HttpRequest, decision: Decision) -> HttpResponse:
    """Return the 429 answer: JSON for API clients, a page for browsers."""
    seconds = max(1, decision.reset_seconds)
    response: HttpResponse
    if wants_json(request):
        response = JsonResponse(
            {
                "detail": _(
                    "Request was throttled: the %(scope)s limit is reached. "
                    "Try again in %(seconds)d seconds."
                )
                % {"scope": decision.scope, "seconds": seconds},
                "scope": decision.scope,
                "retry_after": seconds,
            },
            status=429,
        )
    else:
        response = render(
            request,
            "ratelimit/too_many_requests.html",
            {"decision": decision, "wait": wait_text(seconds)},
            status=429,
        )
    response["Retry-After"] = str(seconds)
    return response


def service_unavailable(request: HttpRequest) -> HttpResponse:
    """Return the 503 answer given while the store is down and failing closed."""
    message = _("The service is busy. Please try again in a minute.")
    response: HttpResponse
    if wants_json(request):
        response = JsonResponse({"detail": message}, status=503)
    else:
        response = HttpResponse(message, status=503, content_type="text/plain")
    response["Retry-After"] = str(UNAVAILABLE_RETRY_AFTER)
    return response


def _announce(request: HttpRequest, decision: Decision, ident: str) -> None:
    rate_limit_exceeded.send(
        sender=Decision,
        request=request,
        scope=decision.scope,
        ident=ident,
        decision=decision,
    )
