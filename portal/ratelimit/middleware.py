"""Count every request in one scope and tell the client its budget.

``process_view`` picks the scope from the view, the identity from the request,
counts once and refuses with 429 when the limit is reached. A request that never
reaches a view (an unknown URL, a CSRF failure) is counted in the wildcard scope
on its way out. Every counted response carries the budget headers.
"""

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from portal.ratelimit.http import (
    add_headers,
    count_request,
    refusal,
    too_many_requests,
)
from portal.ratelimit.identity import request_ident
from portal.ratelimit.scopes import choose_scope


class RateLimitMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.rate_limit = None  # type: ignore[attr-defined]
        response = self.get_response(request)
        if not settings.THROTTLING_ENABLED:
            return response

        if not getattr(request, "_rate_limit_view_reached", False):
            ident = request_ident(request)
            scope = f"{ident.type}-wildcard"
            response = count_request(request, scope, ident) or response

        decision = request.rate_limit  # type: ignore[attr-defined]
        if decision is None:
            return response

        if not decision.allowed and response.status_code != 429:
            # A view that promised to answer refusals itself did not.
            response = too_many_requests(request, decision)
        add_headers(response, decision)
        return response

    def process_view(
        self,
        request: HttpRequest,
        view_func: Callable[..., Any],
        view_args: tuple[Any, ...],
        view_kwargs: dict[str, Any],
    ) -> HttpResponse | None:
        request._rate_limit_view_reached = True  # type: ignore[attr-defined]
        if not settings.THROTTLING_ENABLED:
            return None

        ident = request_ident(request)
        method = request.method or ""
        choice = choose_scope(view_func, method, ident.type == "authenticated")
        if choice is None:
            return None

        answer = count_request(request, choice.scope, ident)
        if answer is not None and choice.handles_refusal and refusal(request):
            # The view re-renders its own form with the refusal.
            return None
        return answer
