"""Which scope each request is counted in, and what the client is told."""

import json
from types import SimpleNamespace

import pytest
from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import include, path
from rest_framework import viewsets
from rest_framework.authentication import SessionAuthentication
from rest_framework.decorators import action
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from portal.ratelimit import services
from portal.ratelimit.identity import request_ident
from portal.ratelimit.rates import SCOPES
from portal.ratelimit.scopes import rate_limit_exempt, rate_limit_scope
from portal.ratelimit.signals import rate_limit_exceeded

pytestmark = [pytest.mark.django_db, pytest.mark.urls(__name__)]

NOW = 1_700_000_000.0


def plain(request):
    return HttpResponse("plain")


@rate_limit_scope("oauth-token")
def token(request):
    return HttpResponse("token")


@rate_limit_scope("oauth-authorize", methods=["POST"])
def consent(request):
    return HttpResponse("consent")


@rate_limit_scope(
    anonymous="anonymous-oauth-app", authenticated="authenticated-oauth-app"
)
def register(request):
    return HttpResponse("register")


@rate_limit_exempt
def exempt(request):
    return HttpResponse("exempt")


def broken(request):
    raise RuntimeError("boom")


class ThingViewSet(viewsets.ViewSet):
    authentication_classes = [SessionAuthentication]
    permission_classes = [AllowAny]

    def list(self, request):
        return Response([])

    def retrieve(self, request, pk=None):
        return Response({"id": pk})

    def create(self, request):
        return Response({}, status=201)

    def update(self, request, pk=None):
        return Response({"id": pk})

    def partial_update(self, request, pk=None):
        return Response({"id": pk})

    def destroy(self, request, pk=None):
        return Response(status=204)

    @action(detail=True, methods=["post"])
    def star(self, request, pk=None):
        return Response({"id": pk})


class AppViewSet(ThingViewSet):
    rate_limit_scopes = {
        "create": {
            "anonymous": "anonymous-oauth-app",
            "authenticated": "authenticated-oauth-app",
        },
        "star": "oauth-revoke-token",
    }


router = SimpleRouter()
router.register("api/things", ThingViewSet, basename="thing")
router.register("api/apps", AppViewSet, basename="app")

urlpatterns = [
    path("plain/", plain),
    path("token/", token),
    path("consent/", consent),
    path("register/", register),
    path("exempt/", exempt),
    path("broken/", broken),
    *router.urls,
    path("", include("portal.urls")),
]


@pytest.fixture(autouse=True)
def _frozen_clock(monkeypatch):
    monkeypatch.setattr(services, "_clock", lambda: NOW)


def _request(client, method, url):
    return getattr(client, method)(url, content_type="application/json")


@pytest.mark.parametrize(
    ("method", "url", "anonymous", "authenticated"),
    [
        ("get", "/plain/", "anonymous-wildcard", "authenticated-wildcard"),
        ("post", "/plain/", "anonymous-wildcard", "authenticated-wildcard"),
        ("get", "/token/", "oauth-token", "oauth-token"),
        ("post", "/token/", "oauth-token", "oauth-token"),
        ("get", "/consent/", "anonymous-wildcard", "authenticated-wildcard"),
        ("post", "/consent/", "oauth-authorize", "oauth-authorize"),
        ("post", "/register/", "anonymous-oauth-app", "authenticated-oauth-app"),
        ("get", "/api/things/", "anonymous-list", "authenticated-list"),
        ("get", "/api/things/1/", "anonymous-retrieve", "authenticated-retrieve"),
        ("post", "/api/things/", "anonymous-create", "authenticated-create"),
        ("put", "/api/things/1/", "anonymous-update", "authenticated-update"),
        ("patch", "/api/things/1/", "anonymous-update", "authenticated-update"),
        ("delete", "/api/things/1/", "anonymous-destroy", "authenticated-destroy"),
        ("post", "/api/things/1/star/", "anonymous-wildcard", "authenticated-wildcard"),
        ("post", "/api/apps/", "anonymous-oauth-app", "authenticated-oauth-app"),
        ("get", "/api/apps/", "anonymous-list", "authenticated-list"),
        ("post", "/api/apps/1/star/", "oauth-revoke-token", "oauth-revoke-token"),
        ("get", "/no-such-page/", "anonymous-wildcard", "authenticated-wildcard"),
        ("get", "/broken/", "anonymous-wildcard", "authenticated-wildcard"),
        ("get", "/accounts/login/", "anonymous-wildcard", "authenticated-wildcard"),
        ("post", "/accounts/login/", "login", "login"),
        ("get", "/accounts/signup/", "anonymous-wildcard", "authenticated-wildcard"),
        ("post", "/accounts/signup/", "signup", "signup"),
        ("get", "/accounts/password/", "anonymous-wildcard", "authenticated-wildcard"),
        ("post", "/accounts/password/", "password-change", "password-change"),
    ],
)
@pytest.mark.parametrize("persona", ["anonymous", "owner"])
def test_each_request_is_counted_once_in_its_scope(
    client, owner, persona, method, url, anonymous, authenticated
):
    client.raise_request_exception = False
    if persona == "owner":
        client.force_login(owner)
    expected = authenticated if persona == "owner" else anonymous

    response = _request(client, method, url)

    assert response["X-RateLimit-Scope"] == expected
    ident = f"user:{owner.pk}" if persona == "owner" else "ip:127.0.0.1"
    counted = {
        decision.scope: decision.count
        for decision in services.peek(SCOPES, ident)
        if decision.count
    }
    assert counted == {expected: 1}


def test_headers_are_exact_on_the_first_middle_last_and_refused_request(
    client, settings
):
    settings.THROTTLING_RATES = {"anonymous-wildcard": "3/m"}

    responses = [client.get("/plain/") for _ in range(4)]

    assert [r.status_code for r in responses] == [200, 200, 200, 429]
    assert [r["X-RateLimit-Remaining"] for r in responses] == ["2", "1", "0", "0"]
    for response in responses:
        assert response["X-RateLimit-Scope"] == "anonymous-wildcard"
        assert response["X-RateLimit-Limit"] == "3"
        assert response["X-RateLimit-Duration"] == "60"
        assert response["X-RateLimit-Reset"] == str(int(NOW) + 60)
        assert response["X-RateLimit-ResetSeconds"] == "60"
        assert response["RateLimit-Policy"] == '"anonymous-wildcard";q=3;w=60'
    assert [r["RateLimit"] for r in responses] == [
        '"anonymous-wildcard";r=2;t=60',
        '"anonymous-wildcard";r=1;t=60',
        '"anonymous-wildcard";r=0;t=60',
        '"anonymous-wildcard";r=0;t=60',
    ]
    assert "Retry-After" not in responses[2]
    assert responses[3]["Retry-After"] == "60"


def test_the_window_restarts_once_it_has_passed(client, settings, monkeypatch):
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    }
    settings.THROTTLING_RATES = {"anonymous-wildcard": "2/m"}
    client.get("/plain/")
    monkeypatch.setattr(services, "_clock", lambda: NOW + 45)

    middle = client.get("/plain/")
    refused = client.get("/plain/")
    monkeypatch.setattr(services, "_clock", lambda: NOW + 60)
    fresh = client.get("/plain/")

    assert middle["X-RateLimit-ResetSeconds"] == "15"
    assert refused.status_code == 429
    assert refused["Retry-After"] == "15"
    assert fresh.status_code == 200
    assert fresh["X-RateLimit-Remaining"] == "1"
    assert fresh["X-RateLimit-Reset"] == str(int(NOW) + 120)


def test_an_api_client_over_the_limit_gets_a_json_429(client, settings):
    settings.THROTTLING_RATES = {"anonymous-create": "1/h"}
    client.post("/api/things/", {}, content_type="application/json")

    response = client.post(
        "/api/things/", {}, content_type="application/json", HTTP_ACCEPT="text/html"
    )

    assert response.status_code == 429
    assert response["Content-Type"] == "application/json"
    assert response["Retry-After"] == "3600"
    assert json.loads(response.content) == {
        "detail": "Request was throttled: the anonymous-create limit is reached. "
        "Try again in 3600 seconds.",
        "scope": "anonymous-create",
        "retry_after": 3600,
    }


def test_a_machine_client_outside_the_api_gets_json_too(client, settings):
    settings.THROTTLING_RATES = {"oauth-token": "1/h"}
    client.post("/token/")

    response = client.post("/token/", HTTP_ACCEPT="application/json")

    assert response.status_code == 429
    assert json.loads(response.content)["scope"] == "oauth-token"


def test_a_browser_over_the_limit_gets_a_friendly_page(client, settings):
    settings.THROTTLING_RATES = {"oauth-authorize": "1/h"}
    client.post("/consent/")

    response = client.post("/consent/", HTTP_ACCEPT="text/html,*/*;q=0.8")

    assert response.status_code == 429
    assert response["Content-Type"].startswith("text/html")
    assert response["Retry-After"] == "3600"
    assert b"<h1>Too many requests</h1>" in response.content
    assert b"Please wait 1 hour and try again." in response.content


def test_the_refusal_is_announced_with_a_signal(client, settings):
    settings.THROTTLING_RATES = {"oauth-token": "1/h"}
    received = []

    def receiver(sender, request, scope, ident, **kwargs):
        received.append((scope, ident, request.path))

    rate_limit_exceeded.connect(receiver)
    try:
        client.post("/token/")
        client.post("/token/")
    finally:
        rate_limit_exceeded.disconnect(receiver)

    assert received == [("oauth-token", "ip:127.0.0.1", "/token/")]


def test_an_exempt_view_is_not_counted(client):
    response = client.get("/exempt/")

    assert response.status_code == 200
    assert "X-RateLimit-Scope" not in response
    assert all(d.count == 0 for d in services.peek(SCOPES, "ip:127.0.0.1"))


def test_switched_off_nothing_is_counted_or_refused(client, settings):
    settings.THROTTLING_ENABLED = False
    settings.THROTTLING_RATES = {"anonymous-wildcard": "1/h"}

    responses = [client.get("/plain/") for _ in range(3)]

    assert [r.status_code for r in responses] == [200, 200, 200]
    assert "X-RateLimit-Scope" not in responses[0]


def test_a_user_and_an_address_have_separate_budgets(client, owner, settings):
    settings.THROTTLING_RATES = {
        "anonymous-wildcard": "1/h",
        "authenticated-wildcard": "1/h",
    }
    client.get("/plain/")
    client.force_login(owner)

    response = client.get("/plain/")

    assert response.status_code == 200
    assert response["X-RateLimit-Scope"] == "authenticated-wildcard"


def test_an_invalid_bearer_token_is_counted_for_the_address(client):
    response = client.get("/plain/", HTTP_AUTHORIZATION="Bearer not-a-real-token")

    assert response["X-RateLimit-Scope"] == "anonymous-wildcard"
    assert services.peek(["anonymous-wildcard"], "ip:127.0.0.1")[0].count == 1


def test_a_resolved_bearer_token_counts_for_its_user():
    request = RequestFactory().get("/plain/", HTTP_AUTHORIZATION="Bearer x")
    request.oauth_token = SimpleNamespace(user_id=42)

    ident = request_ident(request)

    assert (ident.type, ident.id, ident.key) == ("authenticated", 42, "user:42")


@pytest.mark.parametrize(
    ("proxies", "forwarded", "expected"),
    [
        (0, "203.0.113.7", "10.0.0.1"),
        (1, "203.0.113.7", "203.0.113.7"),
        (1, "198.51.100.66, 203.0.113.7", "203.0.113.7"),
        (2, "198.51.100.66, 203.0.113.7, 10.0.0.2", "203.0.113.7"),
        (1, "", "10.0.0.1"),
        (1, "not-an-address", "10.0.0.1"),
    ],
)
def test_the_client_address_honours_the_trusted_proxies(
    settings, proxies, forwarded, expected
):
    settings.THROTTLING_TRUSTED_PROXIES = proxies
    request = RequestFactory().get(
        "/plain/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR=forwarded
    )
    request.user = SimpleNamespace(is_authenticated=False)

    assert request_ident(request).key == f"ip:{expected}"


def test_a_spoofed_forwarded_for_shares_the_budget_without_trusted_proxies(
    client, settings
):
    settings.THROTTLING_TRUSTED_PROXIES = 0
    settings.THROTTLING_RATES = {"anonymous-wildcard": "2/h"}

    first = client.get("/plain/", HTTP_X_FORWARDED_FOR="198.51.100.1")
    second = client.get("/plain/", HTTP_X_FORWARDED_FOR="198.51.100.2")
    third = client.get("/plain/", HTTP_X_FORWARDED_FOR="198.51.100.3")

    assert [first.status_code, second.status_code, third.status_code] == [
        200,
        200,
        429,
    ]


def test_behind_one_proxy_each_forwarded_client_has_its_own_budget(client, settings):
    settings.THROTTLING_TRUSTED_PROXIES = 1
    settings.THROTTLING_RATES = {"anonymous-wildcard": "1/h"}

    first = client.get("/plain/", HTTP_X_FORWARDED_FOR="198.51.100.1")
    second = client.get("/plain/", HTTP_X_FORWARDED_FOR="198.51.100.2")
    again = client.get("/plain/", HTTP_X_FORWARDED_FOR="203.0.113.9, 198.51.100.1")

    assert [first.status_code, second.status_code, again.status_code] == [
        200,
        200,
        429,
    ]


def test_an_unknown_scope_fails_when_the_view_is_declared():
    from django.core.exceptions import ImproperlyConfigured

    with pytest.raises(ImproperlyConfigured, match="'logn'"):
        rate_limit_scope("logn")
