"""The API of OAuth applications: /api/v1/oauth/apps/."""

import json

import pytest
from django.test import Client

from portal.oauth import services
from portal.oauth.models import AccessToken, Application, Grant, RefreshToken
from tests.oauth_helpers import REDIRECT, exchange, get_code, make_application

pytestmark = pytest.mark.django_db

APPS = "/api/v1/oauth/apps/"
ME = "/api/v1/users/me/"


def bearer(raw):
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def post_json(client, path, data, **extra):
    return client.post(path, json.dumps(data), content_type="application/json", **extra)


def patch_json(client, path, data, **extra):
    return client.patch(
        path, json.dumps(data), content_type="application/json", **extra
    )


def put_json(client, path, data, **extra):
    return client.put(path, json.dumps(data), content_type="application/json", **extra)


def detail(application):
    return f"{APPS}{application.client_id}/"


def security_token(application, user):
    """A personal token of ``user`` with the security scopes."""
    _token, raw = services.issue_personal_token(application, user)
    return raw


@pytest.fixture
def owned(owner):
    application, _secret = make_application(owner, scope_ids=("read", "write"))
    return application


@pytest.fixture
def anonymous():
    return Client()


@pytest.fixture
def other_client(other):
    client = Client()
    client.force_login(other)
    return client


# Create -------------------------------------------------------------------------


def test_it_registers_an_application_for_an_anonymous_caller(anonymous):
    response = post_json(
        anonymous,
        APPS,
        {"name": "Player", "redirect_uris": REDIRECT, "scopes": "read write:favorites"},
    )

    assert response.status_code == 201
    body = response.json()
    assert body["name"] == "Player"
    assert body["scopes"] == "read write:favorites"
    assert body["redirect_uris"] == REDIRECT
    assert body["client_secret"]
    assert "token" not in body
    assert {"client_id", "created", "updated"} <= body.keys()
    assert response["Cache-Control"] == "no-store"
    application = Application.objects.get(client_id=body["client_id"])
    assert application.user is None
    assert application.client_secret != body["client_secret"]  # stored hashed


def test_it_defaults_the_scopes_to_read(anonymous):
    response = post_json(anonymous, APPS, {"name": "Player"})

    assert response.status_code == 201
    assert response.json()["scopes"] == "read"
    assert response.json()["redirect_uris"] == ""


def test_it_accepts_newline_separated_redirect_uris(anonymous):
    response = post_json(
        anonymous,
        APPS,
        {
            "name": "Player",
            "redirect_uris": "https://a.example/cb\nhttp://127.0.0.1/cb",
        },
    )

    assert response.status_code == 201
    assert (
        response.json()["redirect_uris"] == "https://a.example/cb http://127.0.0.1/cb"
    )


def test_it_accepts_a_form_encoded_body(anonymous):
    response = anonymous.post(APPS, {"name": "Player", "scopes": "read"})

    assert response.status_code == 201


def test_it_registers_for_a_session_user_with_a_personal_token(owner_client, owner):
    response = post_json(owner_client, APPS, {"name": "Mine", "scopes": "read write"})

    assert response.status_code == 201
    body = response.json()
    assert body["token"].startswith("pod_pt_")
    application = Application.objects.get(client_id=body["client_id"])
    assert application.user == owner
    token = AccessToken.objects.get(application=application)
    assert token.kind == AccessToken.Kind.PERSONAL
    assert token.user == owner


def test_the_created_token_works_as_a_bearer(owner_client):
    body = post_json(owner_client, APPS, {"name": "Mine", "scopes": "read"}).json()

    response = Client().get(ME, **bearer(body["token"]))

    assert response.status_code == 200
    assert response.json()["username"] == "alice"


def test_it_registers_for_a_bearer_with_write_security(owned, owner):
    raw = security_token(owned, owner)

    response = post_json(Client(), APPS, {"name": "Second"}, **bearer(raw))

    assert response.status_code == 201
    assert response.json()["token"].startswith("pod_pt_")
    assert Application.objects.get(client_id=response.json()["client_id"]).user == owner


def test_it_refuses_a_bearer_without_write_security(owner):
    application, _secret = make_application(owner, scope_ids=("read",))
    _token, raw = services.issue_personal_token(application, owner)

    response = post_json(Client(), APPS, {"name": "Second"}, **bearer(raw))

    assert response.status_code == 403
    assert response["WWW-Authenticate"] == (
        'Bearer realm="api", error="insufficient_scope", scope="write:security"'
    )
    assert Application.objects.count() == 1


def test_it_refuses_an_unknown_bearer_token(anonymous):
    response = post_json(anonymous, APPS, {"name": "X"}, **bearer("pod_pt_nope"))

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Bearer realm="api", error="invalid_token"'
    assert not Application.objects.exists()


def test_a_non_staff_personal_token_has_no_instance_scopes(owner_client):
    body = post_json(owner_client, APPS, {"name": "All", "scopes": "read write"}).json()

    held = Client().get(ME, **bearer(body["token"])).json()["scopes"]

    assert "read:profile" in held
    assert "write:security" in held
    assert not [scope for scope in held if "instance:" in scope]


def test_it_keeps_csrf_protection_for_session_callers(owner):
    client = Client(enforce_csrf_checks=True)
    client.force_login(owner)

    refused = post_json(client, APPS, {"name": "Forged"})
    client.cookies["csrftoken"] = "a" * 32
    accepted = post_json(client, APPS, {"name": "Real"}, HTTP_X_CSRFTOKEN="a" * 32)

    assert refused.status_code == 403
    assert "CSRF" in refused.json()["detail"]
    assert accepted.status_code == 201
    assert list(Application.objects.values_list("name", flat=True)) == ["Real"]


def test_it_counts_registrations_in_the_oauth_app_scopes(anonymous, owner_client):
    anonymous_response = post_json(anonymous, APPS, {"name": "A"})
    session_response = post_json(owner_client, APPS, {"name": "B"})

    assert anonymous_response["X-RateLimit-Scope"] == "anonymous-oauth-app"
    assert session_response["X-RateLimit-Scope"] == "authenticated-oauth-app"


def test_it_throttles_anonymous_registrations(anonymous, settings):
    settings.THROTTLING_RATES = {"anonymous-oauth-app": "2/d"}
    statuses = [post_json(anonymous, APPS, {"name": "A"}).status_code for _ in range(3)]

    assert statuses[-1] == 429
    assert Application.objects.count() == statuses.count(201)


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"name": "X", "scopes": "read x"}, "scopes", "Unknown scope: x"),
        ({"name": "X", "scopes": ""}, "scopes", None),
        (
            {"name": "X", "redirect_uris": "http://client.example/cb"},
            "redirect_uris",
            "Plain http is only allowed",
        ),
        ({"name": "X", "redirect_uris": "/relative"}, "redirect_uris", "absolute"),
        ({"name": "X", "redirect_uris": "https://a.example/#f"}, "redirect_uris", None),
        ({"name": "x" * 256}, "name", "255"),
        ({"name": ""}, "name", None),
        ({"name": "   "}, "name", None),
        ({}, "name", "required"),
        ({"name": ["a", "b"]}, "name", None),
        ({"name": {"a": 1}}, "name", None),
        ({"name": "X", "scopes": ["read"]}, "scopes", None),
        ({"name": "A\x00B"}, "name", "Null characters"),
        ({"name": "X", "scopes": "read\x00"}, "scopes", None),
        (
            {"name": "X", "redirect_uris": "https://a.example/\x00"},
            "redirect_uris",
            None,
        ),
        (
            {
                "name": "X",
                "redirect_uris": " ".join(f"https://a.example/{n}" for n in range(21)),
            },
            "redirect_uris",
            "at most 20",
        ),
    ],
)
def test_it_answers_bad_input_with_field_errors(anonymous, data, field, message):
    response = post_json(anonymous, APPS, data)

    assert response.status_code == 400
    errors = response.json()
    assert isinstance(errors[field], list)
    if message:
        assert message in errors[field][0]
    assert not Application.objects.exists()


@pytest.mark.parametrize("body", ["{not json", "[1, 2]", '"a string"', "null", "\x00"])
def test_it_answers_junk_bodies_with_400(anonymous, body):
    response = anonymous.post(APPS, body, content_type="application/json")

    assert response.status_code == 400
    assert response.json()
    assert not Application.objects.exists()


# List ---------------------------------------------------------------------------


def test_it_lists_the_callers_applications_newest_first(owner_client, owner, other):
    first, _ = make_application(owner)
    second, _ = make_application(owner)
    make_application(other)
    make_application(None)

    response = owner_client.get(APPS)

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2
    assert body["next"] is None and body["previous"] is None
    assert [item["client_id"] for item in body["results"]] == [
        second.client_id,
        first.client_id,
    ]
    assert set(body["results"][0]) == {
        "client_id",
        "name",
        "scopes",
        "created",
        "updated",
    }


def test_the_list_never_shows_secrets_or_tokens(owner_client):
    post_json(owner_client, APPS, {"name": "Mine"})

    text = owner_client.get(APPS).content.decode()

    assert "client_secret" not in text
    assert "token" not in text
    assert "pod_pt_" not in text


def test_it_paginates_by_20_up_to_100(owner_client, owner):
    for _ in range(25):
        make_application(owner)

    default = owner_client.get(APPS).json()
    second_page = owner_client.get(APPS, {"page": 2}).json()
    large = owner_client.get(APPS, {"page_size": 500}).json()

    assert default["count"] == 25
    assert len(default["results"]) == 20
    assert default["next"].endswith("page=2")
    assert len(second_page["results"]) == 5
    assert len(large["results"]) == 25


def test_an_unknown_page_is_404(owner_client):
    assert owner_client.get(APPS, {"page": 9}).status_code == 404
    assert owner_client.get(APPS, {"page": "x\x00"}).status_code == 404


def test_the_list_runs_a_fixed_number_of_queries(
    owner_client, owner, django_assert_max_num_queries
):
    for _ in range(10):
        make_application(owner)

    with django_assert_max_num_queries(6):
        response = owner_client.get(APPS)

    assert len(response.json()["results"]) == 10


def test_listing_needs_a_caller(anonymous):
    response = anonymous.get(APPS)

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'


def test_listing_with_a_bearer_needs_read_security(owner, owned):
    narrow, _ = make_application(owner, scope_ids=("read:profile",))
    _token, narrow_raw = services.issue_personal_token(narrow, owner)
    raw = security_token(owned, owner)

    refused = Client().get(APPS, **bearer(narrow_raw))
    allowed = Client().get(APPS, **bearer(raw))

    assert refused.status_code == 403
    assert refused["WWW-Authenticate"] == (
        'Bearer realm="api", error="insufficient_scope", scope="read:security"'
    )
    assert allowed.status_code == 200
    assert allowed.json()["count"] == 2


# Retrieve -----------------------------------------------------------------------


def test_anyone_reads_an_application_without_its_redirect_uris(owned, anonymous):
    response = anonymous.get(detail(owned))

    assert response.status_code == 200
    assert response.json() == {
        "client_id": owned.client_id,
        "name": owned.name,
        "scopes": "read write",
        "created": response.json()["created"],
        "updated": response.json()["updated"],
    }


def test_another_user_does_not_see_the_redirect_uris(owned, other_client):
    response = other_client.get(detail(owned))

    assert response.status_code == 200
    assert "redirect_uris" not in response.json()


def test_the_owner_sees_the_redirect_uris(owned, owner_client):
    response = owner_client.get(detail(owned))

    assert response.status_code == 200
    assert response.json()["redirect_uris"] == REDIRECT


def test_the_trailing_slash_is_optional(owned, owner_client):
    assert owner_client.get(detail(owned).rstrip("/")).status_code == 200
    assert owner_client.get(APPS.rstrip("/")).status_code == 200


def test_reading_never_returns_a_secret_or_token(owner_client, anonymous):
    created = post_json(owner_client, APPS, {"name": "Mine"}).json()
    path = f"{APPS}{created['client_id']}/"

    for client in (owner_client, anonymous):
        text = client.get(path).content.decode()
        assert "client_secret" not in text
        assert "token" not in text
        assert created["client_secret"] not in text
        assert created["token"] not in text


def test_the_owner_reads_with_a_bearer_holding_read_security(owned, owner):
    raw = security_token(owned, owner)

    response = Client().get(detail(owned), **bearer(raw))

    assert response.status_code == 200
    assert response.json()["redirect_uris"] == REDIRECT


def test_reading_with_a_bearer_without_read_security_is_refused(owned, owner):
    narrow, _ = make_application(owner, scope_ids=("read:profile",))
    _token, raw = services.issue_personal_token(narrow, owner)

    response = Client().get(detail(owned), **bearer(raw))

    assert response.status_code == 403
    assert 'scope="read:security"' in response["WWW-Authenticate"]


def test_an_unknown_application_is_404(anonymous):
    assert anonymous.get(f"{APPS}nope/").status_code == 404
    assert anonymous.get(f"{APPS}{'x' * 300}/").status_code == 404


def test_a_nul_byte_in_the_client_id_is_404(owned, owner_client):
    assert owner_client.get(f"{APPS}abc%00def/").status_code == 404
    assert owner_client.patch(f"{APPS}abc%00/", {}).status_code == 404
    assert owner_client.delete(f"{APPS}%00/").status_code == 404
    assert owner_client.post(f"{APPS}%00/refresh-token").status_code == 404


def test_a_disabled_application_is_hidden_from_everyone_but_its_owner(
    owned, owner_client, other_client, anonymous
):
    Application.objects.filter(pk=owned.pk).update(disabled_at="2024-01-01T00:00Z")

    assert anonymous.get(detail(owned)).status_code == 404
    assert other_client.get(detail(owned)).status_code == 404
    assert owner_client.get(detail(owned)).status_code == 200


# Update -------------------------------------------------------------------------


def test_the_owner_renames_an_application(owned, owner_client):
    response = patch_json(owner_client, detail(owned), {"name": "Renamed"})

    assert response.status_code == 200
    assert response.json()["name"] == "Renamed"
    assert response.json()["scopes"] == "read write"
    assert "client_secret" not in response.json()
    assert "token" not in response.json()
    owned.refresh_from_db()
    assert owned.name == "Renamed"


def test_the_owner_replaces_an_application_with_put(owned, owner_client):
    response = put_json(
        owner_client,
        detail(owned),
        {"name": "New", "redirect_uris": "https://b.example/cb", "scopes": "read"},
    )

    assert response.status_code == 200
    owned.refresh_from_db()
    assert (owned.name, owned.redirect_uris, owned.scope) == (
        "New",
        "https://b.example/cb",
        "read",
    )


def test_put_needs_every_field(owned, owner_client):
    response = put_json(owner_client, detail(owned), {"name": "New"})

    assert response.status_code == 400
    assert set(response.json()) == {"redirect_uris", "scopes"}


def test_the_owner_updates_with_a_bearer_holding_write_security(owned, owner):
    raw = security_token(owned, owner)

    response = patch_json(Client(), detail(owned), {"name": "By token"}, **bearer(raw))

    assert response.status_code == 200
    assert response.json()["name"] == "By token"


def test_updating_with_a_read_only_bearer_is_refused(owner):
    application, _ = make_application(owner, scope_ids=("read",))
    _token, raw = services.issue_personal_token(application, owner)

    response = patch_json(Client(), detail(application), {"name": "No"}, **bearer(raw))

    assert response.status_code == 403
    assert 'scope="write:security"' in response["WWW-Authenticate"]
    application.refresh_from_db()
    assert application.name == "Test client"


def test_another_user_cannot_update(owned, other_client):
    response = patch_json(other_client, detail(owned), {"name": "Stolen"})

    assert response.status_code == 404
    owned.refresh_from_db()
    assert owned.name == "Test client"


def test_an_anonymous_caller_cannot_update(owned, anonymous):
    response = patch_json(anonymous, detail(owned), {"name": "Stolen"})

    assert response.status_code == 401


def test_an_ownerless_application_cannot_be_updated(owner_client):
    application, _ = make_application(None)

    response = patch_json(owner_client, detail(application), {"name": "Mine now"})

    assert response.status_code == 404


@pytest.mark.parametrize(
    "data",
    [
        {"scopes": "read nope"},
        {"redirect_uris": "http://evil.example/cb"},
        {"name": "x" * 256},
        {"name": None},
        {"name": "\x00"},
        {"scopes": ""},
    ],
)
def test_updating_with_bad_input_is_400(owned, owner_client, data):
    response = patch_json(owner_client, detail(owned), data)

    assert response.status_code == 400
    assert set(response.json()) == set(data)
    owned.refresh_from_db()
    assert owned.scope == "read write"


@pytest.mark.parametrize("body", ["{not json", "[]", "\x00"])
def test_updating_with_a_junk_body_is_400(owned, owner_client, body):
    response = owner_client.patch(detail(owned), body, content_type="application/json")

    assert response.status_code == 400
    owned.refresh_from_db()
    assert owned.name == "Test client"


def test_options_neither_leaks_nor_fails(owned, owner_client, other_client, anonymous):
    for client, expected in (
        (owner_client, 200),
        (other_client, 200),
        (anonymous, 401),
    ):
        for path in (APPS, detail(owned), f"{APPS}a%00b/"):
            response = client.options(path)
            assert response.status_code == expected, path
            assert "client_secret" not in response.content.decode()
            assert REDIRECT not in response.content.decode()


def test_narrowing_the_scopes_narrows_live_tokens(owned, owner):
    _token, raw = services.issue_personal_token(owned, owner)
    client = Client()
    client.force_login(owner)
    assert Client().get(ME, **bearer(raw)).status_code == 200

    response = patch_json(client, detail(owned), {"scopes": "read:favorites"})
    me = Client().get(ME, **bearer(raw))

    assert response.status_code == 200
    assert response.json()["scopes"] == "read:favorites"
    assert AccessToken.objects.get(application=owned).scope == "read:favorites"
    assert me.status_code == 403
    assert me["WWW-Authenticate"] == (
        'Bearer realm="api", error="insufficient_scope", scope="read:profile"'
    )


# Delete -------------------------------------------------------------------------


def test_the_owner_deletes_an_application_and_its_tokens(owned, owner, owner_client):
    _token, raw = services.issue_personal_token(owned, owner)
    get_code(owner_client, owned)

    response = owner_client.delete(detail(owned))

    assert response.status_code == 204
    assert not Application.objects.filter(pk=owned.pk).exists()
    assert not AccessToken.objects.exists()
    assert not Grant.objects.exists()
    stale = Client().get(ME, **bearer(raw))
    assert stale.status_code == 401
    assert stale["WWW-Authenticate"] == 'Bearer realm="api", error="invalid_token"'


def test_deleting_revokes_oauth_tokens_of_every_user(owner, other):
    application, secret = make_application(owner)
    other_client = Client()
    other_client.force_login(other)
    tokens = exchange(
        other_client, application, secret, get_code(other_client, application)
    ).json()
    owner_client = Client()
    owner_client.force_login(owner)

    response = owner_client.delete(detail(application))

    assert response.status_code == 204
    assert Client().get(ME, **bearer(tokens["access_token"])).status_code == 401
    assert not RefreshToken.objects.exists()


def test_another_user_cannot_delete(owned, other_client):
    assert other_client.delete(detail(owned)).status_code == 404
    assert Application.objects.filter(pk=owned.pk).exists()


def test_an_anonymous_caller_cannot_delete(owned, anonymous):
    assert anonymous.delete(detail(owned)).status_code == 401
    assert Application.objects.filter(pk=owned.pk).exists()


def test_deleting_with_a_bearer_needs_write_security(owned, owner):
    narrow, _ = make_application(owner, scope_ids=("read",))
    _token, read_raw = services.issue_personal_token(narrow, owner)
    write_raw = security_token(owned, owner)

    refused = Client().delete(detail(narrow), **bearer(read_raw))
    allowed = Client().delete(detail(narrow), **bearer(write_raw))

    assert refused.status_code == 403
    assert allowed.status_code == 204


# Personal token -----------------------------------------------------------------


def test_refreshing_the_token_revokes_the_old_one(owner_client):
    created = post_json(owner_client, APPS, {"name": "Mine"}).json()
    path = f"{APPS}{created['client_id']}/refresh-token"

    response = owner_client.post(path)

    assert response.status_code == 200
    body = response.json()
    assert body["client_id"] == created["client_id"]
    assert body["token"].startswith("pod_pt_")
    assert body["token"] != created["token"]
    assert "client_secret" not in body
    assert response["Cache-Control"] == "no-store"
    old = Client().get(ME, **bearer(created["token"]))
    assert old.status_code == 401
    assert old["WWW-Authenticate"] == 'Bearer realm="api", error="invalid_token"'
    assert Client().get(ME, **bearer(body["token"])).status_code == 200


def test_refreshing_the_token_counts_as_a_creation(owned, owner_client):
    response = owner_client.post(f"{detail(owned)}refresh-token")

    assert response["X-RateLimit-Scope"] == "authenticated-create"


def test_refreshing_the_token_accepts_a_trailing_slash(owned, owner_client):
    response = owner_client.post(f"{detail(owned)}refresh-token/")

    assert response.status_code == 200
    assert response.json()["token"].startswith("pod_pt_")


def test_refreshing_with_a_bearer_needs_write_security(owner):
    application, _ = make_application(owner, scope_ids=("read",))
    _token, raw = services.issue_personal_token(application, owner)

    response = Client().post(f"{detail(application)}refresh-token", **bearer(raw))

    assert response.status_code == 403
    assert 'scope="write:security"' in response["WWW-Authenticate"]
    assert Client().get(ME, **bearer(raw)).status_code == 200


def test_another_user_cannot_refresh_the_token(owned, other_client):
    response = other_client.post(f"{detail(owned)}refresh-token")

    assert response.status_code == 404
    assert not AccessToken.objects.exists()


def test_an_anonymous_caller_cannot_refresh_the_token(owned, anonymous):
    assert anonymous.post(f"{detail(owned)}refresh-token").status_code == 401
    assert not AccessToken.objects.exists()


def test_refreshing_is_not_a_get(owned, owner_client):
    assert owner_client.get(f"{detail(owned)}refresh-token").status_code == 405
    assert not AccessToken.objects.exists()


def test_tokens_in_the_query_string_are_ignored(owned, owner):
    raw = security_token(owned, owner)

    response = Client().get(APPS, {"access_token": raw})

    assert response.status_code == 401
