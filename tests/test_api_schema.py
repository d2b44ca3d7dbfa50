"""The OpenAPI schema and its Swagger UI page."""

import re

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db

SCHEMA = "/api/v1/schema/"
DOCS = "/api/v1/docs/"


@pytest.fixture
def schema():
    response = Client().get(SCHEMA, {"format": "json"})
    assert response.status_code == 200
    return response.json()


def test_the_schema_is_served_to_anyone():
    response = Client().get(SCHEMA)

    assert response.status_code == 200
    assert b"openapi:" in response.content


def test_the_schema_lists_every_endpoint(schema):
    assert {
        "/api/v1/oauth/apps/",
        "/api/v1/oauth/apps/{client_id}/",
        "/api/v1/oauth/apps/{client_id}/refresh-token/",
        "/api/v1/oauth/grants/",
        "/api/v1/oauth/grants/{client_id}/",
        "/api/v1/users/me/",
    } <= set(schema["paths"])


@pytest.mark.parametrize(
    ("path", "method", "codes"),
    [
        ("/api/v1/oauth/apps/", "post", {"201", "400", "401", "403", "429"}),
        ("/api/v1/oauth/apps/", "get", {"200", "401", "403", "429"}),
        ("/api/v1/oauth/apps/{client_id}/", "get", {"200", "401", "403", "404"}),
        (
            "/api/v1/oauth/apps/{client_id}/",
            "patch",
            {"200", "400", "401", "403", "404", "429"},
        ),
        ("/api/v1/oauth/apps/{client_id}/", "put", {"200", "400", "404"}),
        ("/api/v1/oauth/apps/{client_id}/", "delete", {"204", "401", "403", "404"}),
        (
            "/api/v1/oauth/apps/{client_id}/refresh-token/",
            "post",
            {"200", "401", "403", "404", "429"},
        ),
        ("/api/v1/oauth/grants/", "get", {"200", "401", "403", "429"}),
        ("/api/v1/oauth/grants/{client_id}/", "delete", {"204", "401", "403", "404"}),
        ("/api/v1/users/me/", "get", {"200", "401", "403", "429"}),
    ],
)
def test_the_schema_documents_the_response_codes(schema, path, method, codes):
    assert codes <= set(schema["paths"][path][method]["responses"])


def test_the_schema_shows_secrets_only_in_the_create_response(schema):
    components = schema["components"]["schemas"]
    created = components["ApplicationCreated"]["properties"]
    public = components["Application"]["properties"]

    assert {"client_secret", "token"} <= set(created)
    assert "token" not in components["ApplicationCreated"]["required"]
    assert not {"client_secret", "token", "redirect_uris"} & set(public)


def test_the_schema_describes_bearer_and_session_authentication(schema):
    schemes = schema["components"]["securitySchemes"]

    assert schemes["bearerAuth"] == {
        "type": "http",
        "scheme": "bearer",
        "description": schemes["bearerAuth"]["description"],
    }
    assert "cookieAuth" in schemes


def test_the_docs_page_loads_only_local_assets():
    response = Client().get(DOCS)

    assert response.status_code == 200
    html = response.content.decode()
    urls = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert urls
    for url in urls:
        assert url.startswith("/static/") or url.startswith(DOCS), url
    assert "//" not in "".join(urls)
    assert "<script>" not in html  # the init script is a separate URL (CSP)


def test_the_docs_init_script_is_served_and_points_at_the_schema():
    response = Client().get(DOCS, {"script": ""})

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/javascript")
    assert SCHEMA in response.content.decode()


def test_the_docs_assets_are_served():
    html = Client().get(DOCS).content.decode()
    static = [
        u
        for u in re.findall(r'(?:src|href)="([^"]+)"', html)
        if u.startswith("/static/")
    ]

    for url in static:
        response = Client().get(url)
        assert response.status_code == 200, url
        if hasattr(response, "close"):
            response.close()
