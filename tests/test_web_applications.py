"""The settings pages of a user's own applications: list, register, reveal, edit,
regenerate and delete."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from portal.oauth import services
from portal.oauth.bearer import find_live_token
from portal.oauth.models import AccessToken, Application
from tests.oauth_helpers import REDIRECT, make_application

pytestmark = pytest.mark.django_db

LIST = "/settings/applications/"
NEW = "/settings/applications/new"
ME = "/api/v1/users/me/"


def _detail(application):
    return f"/settings/applications/{application.client_id}/"


def _form(**changes):
    data = {
        "name": "Player",
        "redirect_uris": "https://player.example/callback\nurn:ietf:wg:oauth:2.0:oob",
        "scopes": ["read", "write:profile"],
        "token_expiry": "never",
    }
    data.update(changes)
    return data


def _register(client, **changes):
    response = client.post(NEW, _form(**changes))
    assert response.status_code == 302, response.content.decode()[:2000]
    return Application.objects.get(name=changes.get("name", "Player")), response


def _me(raw):
    return Client().get(ME, HTTP_AUTHORIZATION=f"Bearer {raw}")


def _revealed_token(page):
    marker = 'id="personal-token" value="'
    start = page.index(marker) + len(marker)
    return page[start : page.index('"', start)]


def _revealed_secret(page):
    marker = 'id="client-secret" value="'
    start = page.index(marker) + len(marker)
    return page[start : page.index('"', start)]


# Sign-in and ownership -----------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [LIST, NEW, "/settings/applications/abc/", "/settings/"],
)
def test_anonymous_visitors_are_sent_to_sign_in_and_back(client, path):
    response = client.get(path)

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")


@pytest.mark.parametrize("suffix", ["regenerate-token", "regenerate-secret", "delete"])
def test_anonymous_actions_change_nothing(client, owner, suffix):
    application, _secret = make_application(owner)

    response = client.post(_detail(application) + suffix, {"confirmed": "1"})

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert Application.objects.filter(pk=application.pk).exists()
    assert not AccessToken.objects.exists()


def test_another_users_application_is_not_found(client, owner, other):
    application, _secret = make_application(owner)
    client.force_login(other)

    assert client.get(_detail(application)).status_code == 404
    assert client.post(_detail(application), _form()).status_code == 404
    for suffix in ("regenerate-token", "regenerate-secret", "delete"):
        response = client.post(_detail(application) + suffix, {"confirmed": "1"})
        assert response.status_code == 404
    application.refresh_from_db()
    assert application.name == "Test client"
    assert not AccessToken.objects.exists()


def test_the_list_shows_only_the_users_own_applications(client, owner, other):
    make_application(owner)
    theirs, _secret = make_application(other)
    theirs.name = "Bob's secret app"
    theirs.save()
    client.force_login(owner)

    page = client.get(LIST).content.decode()

    assert "Test client" in page
    assert "Bob's secret app" not in page


# The list --------------------------------------------------------------------------


def test_an_empty_list_explains_what_an_application_is(owner_client):
    response = owner_client.get(LIST)

    page = response.content.decode()
    assert response.status_code == 200
    assert "You have not registered an application yet." in page
    assert "No application can use your account." in page
    assert 'href="/settings/applications/new"' in page


def test_the_list_shows_scopes_last_use_and_token_state(owner_client, owner):
    active, _ = make_application(owner, scope_ids=["read", "write:profile"])
    services.issue_personal_token(active, owner)
    expiring, _ = make_application(owner, scope_ids=["read:radios"])
    services.issue_personal_token(
        expiring, owner, expires=timezone.now() + timedelta(days=30)
    )
    expired, _ = make_application(owner, scope_ids=["write:radios"])
    token, _raw = services.issue_personal_token(
        expired, owner, expires=timezone.now() + timedelta(days=1)
    )
    AccessToken.objects.filter(pk=token.pk).update(
        expires=timezone.now() - timedelta(days=1),
        last_used_at=timezone.now() - timedelta(days=2),
    )
    make_application(owner)

    page = owner_client.get(LIST).content.decode()

    assert page.count('class="state active"') == 1
    assert page.count('class="state expiring"') == 1
    assert page.count('class="state expired"') == 1
    assert page.count('class="state none"') == 1
    assert '<span class="badge read">read</span> Everything' in page
    assert '<span class="badge write">write</span> Profile' in page
    assert '<span class="badge read">read</span> Radios' in page
    assert "Pod settings" not in page
    assert page.count(">never<") == 3


def test_the_settings_home_links_the_pages(owner_client):
    page = owner_client.get("/settings/").content.decode()

    assert 'href="/settings/applications/"' in page
    assert 'href="/settings/applications/#authorized"' in page
    assert 'href="/settings/security/"' in page
    assert 'href="/accounts/password_change/"' in page or "password" in page


# Registering -----------------------------------------------------------------------


def test_the_form_is_pre_filled_from_the_query_string(owner_client):
    response = owner_client.get(
        NEW,
        {
            "name": "My player",
            "scopes": "read write:profile",
            "redirect_uris": "https://player.example/cb http://127.0.0.1/cb",
        },
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert 'value="My player"' in page
    assert "https://player.example/cb\nhttp://127.0.0.1/cb</textarea>" in page
    assert 'value="read" data-check-children="scope-read" checked' in page
    assert 'value="write:profile" data-check-group="scope-write" checked' in page
    assert 'value="read:radios" data-check-group="scope-read" checked' in page
    assert 'value="write:radios" data-check-group="scope-write">' in page
    assert 'class="error"' not in page


def test_the_form_explains_oob_and_loopback_redirects(owner_client):
    page = owner_client.get(NEW).content.decode()

    assert "urn:ietf:wg:oauth:2.0:oob" in page
    assert "http://127.0.0.1:PORT/callback" in page


def test_registering_creates_the_application_and_its_personal_token(
    owner_client, owner
):
    application, response = _register(owner_client)

    assert response["Location"] == _detail(application)
    assert application.user == owner
    assert application.scope_list == ["read", "write:profile"]
    assert application.redirect_uri_list == [
        "https://player.example/callback",
        "urn:ietf:wg:oauth:2.0:oob",
    ]
    token = AccessToken.objects.get(application=application)
    assert token.kind == AccessToken.Kind.PERSONAL
    assert token.expires is None


def test_a_parent_scope_drops_the_children_it_implies(owner_client):
    application, _ = _register(
        owner_client, scopes=["read", "read:profile", "write:radios"]
    )

    assert application.scope_list == ["read", "write:radios"]


@pytest.mark.parametrize(("choice", "days"), [("30", 30), ("90", 90), ("365", 365)])
def test_the_token_expiry_can_be_chosen(owner_client, choice, days):
    application, _ = _register(owner_client, token_expiry=choice)

    token = AccessToken.objects.get(application=application)
    expected = timezone.now() + timedelta(days=days)
    assert abs(token.expires - expected) < timedelta(minutes=1)


def test_the_token_expiry_can_be_a_date(owner_client):
    day = (timezone.now() + timedelta(days=10)).date()

    application, _ = _register(
        owner_client, token_expiry="date", token_expires_on=day.isoformat()
    )

    token = AccessToken.objects.get(application=application)
    assert token.expires.date() == day
    assert (token.expires.hour, token.expires.minute) == (0, 0)


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"name": ""}, "name", "This field is required."),
        ({"redirect_uris": ""}, "redirect_uris", "This field is required."),
        (
            {"redirect_uris": "http://player.example/cb"},
            "redirect_uris",
            "Plain http is only allowed on the loopback addresses",
        ),
        ({"scopes": []}, "scopes", "Choose at least one permission."),
        ({"scopes": ["read:nothing"]}, "scopes", "Unknown permission: read:nothing."),
        (
            {"scopes": ["read:instance:users"]},
            "scopes",
            "Your account may not hold: read:instance:users.",
        ),
        (
            {"token_expiry": "date", "token_expires_on": ""},
            "token_expires_on",
            "Choose the day the token stops working.",
        ),
        (
            {"token_expiry": "date", "token_expires_on": "2001-01-01"},
            "token_expires_on",
            "Choose a day after today.",
        ),
    ],
)
def test_mistakes_re_render_the_form_with_the_input_kept(
    owner_client, changes, field, message
):
    data = _form(name="Kept name", **{k: v for k, v in changes.items() if k != "name"})
    if "name" in changes:
        data["name"] = changes["name"]

    response = owner_client.post(NEW, data)

    page = response.content.decode()
    assert response.status_code == 400
    assert "<html" in page
    errors = page.split(f'id="errors-{field}"', 1)[1].split("</div>", 1)[0]
    assert message in errors
    if "name" not in changes:
        assert 'value="Kept name"' in page
    assert not Application.objects.exists()


def test_live_validation_answers_a_fragment_with_the_errors_and_saves_nothing(
    owner_client,
):
    response = owner_client.get(
        NEW,
        {"validate": "1", "name": "", "redirect_uris": "ftp://x", "scopes": "read"},
        HTTP_HX_REQUEST="true",
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in page
    assert page.lstrip().startswith("<form")
    assert "This field is required." in page.split('id="errors-name"')[1]
    assert "ftp://x" in page.split('id="errors-redirect_uris"')[1]
    assert not Application.objects.exists()


def test_a_full_page_load_is_a_whole_page_even_with_validate(owner_client):
    response = owner_client.get(NEW, {"validate": "1", "name": ""})

    assert b"<html" in response.content
    assert b"This field is required." not in response.content


def test_registration_is_rate_limited_with_the_form_kept(owner_client, settings):
    settings.THROTTLING_RATES = {"authenticated-oauth-app": "2/h"}
    _register(owner_client, name="One")
    _register(owner_client, name="Two")

    response = owner_client.post(NEW, _form(name="Three"))

    page = response.content.decode()
    assert response.status_code == 429
    assert "Too many attempts" in page
    assert 'value="Three"' in page
    assert not Application.objects.filter(name="Three").exists()


def test_registering_needs_a_csrf_token(owner):
    client = Client(enforce_csrf_checks=True)
    client.force_login(owner)

    response = client.post(NEW, _form())

    assert response.status_code == 403
    assert not Application.objects.exists()


# Reveal ------------------------------------------------------------------------------


def test_the_secrets_are_revealed_once_then_masked(owner_client):
    application, _ = _register(owner_client)

    first = owner_client.get(_detail(application))
    page = first.content.decode()
    raw = _revealed_token(page)
    secret = _revealed_secret(page)
    token = AccessToken.objects.get(application=application)
    assert raw.startswith("pod_pt_")
    assert raw.startswith(token.prefix)
    assert "will not be shown again" in page
    assert f'curl -H "Authorization: Bearer {raw}" http://127.0.0.1:8000{ME}' in page
    assert "no-store" in first["Cache-Control"]

    second = owner_client.get(_detail(application)).content.decode()
    assert raw not in second
    assert secret not in second
    assert f"{token.prefix}…" in second
    assert "Regenerate token" in second
    assert "Regenerate client secret" in second


def test_the_revealed_secrets_work(owner_client):
    application, _ = _register(owner_client)

    page = owner_client.get(_detail(application)).content.decode()

    assert _me(_revealed_token(page)).status_code == 200
    application.refresh_from_db()
    from django.contrib.auth.hashers import check_password

    assert check_password(_revealed_secret(page), application.client_secret)


def test_secrets_never_travel_in_a_url_nor_sit_in_the_database_in_clear(
    owner_client,
):
    application, response = _register(owner_client)

    page = owner_client.get(response["Location"]).content.decode()
    raw = _revealed_token(page)
    secret = _revealed_secret(page)

    assert raw not in response["Location"] and secret not in response["Location"]
    assert not AccessToken.objects.filter(token__contains=raw[7:]).exists()
    assert secret not in Application.objects.get().client_secret
    assert "reveal" not in owner_client.session


def test_a_stale_reveal_is_dropped(owner_client, monkeypatch):
    application, _ = _register(owner_client)
    from portal.web import views

    monkeypatch.setattr(views, "REVEAL_SECONDS", -1)

    page = owner_client.get(_detail(application)).content.decode()

    assert 'id="personal-token"' not in page


def test_the_detail_page_shows_the_facts(owner_client, owner):
    application, _ = make_application(
        owner, redirect_uris=(REDIRECT, "urn:ietf:wg:oauth:2.0:oob")
    )

    response = owner_client.get(_detail(application))

    page = response.content.decode()
    assert application.client_id in page
    assert REDIRECT in page and "urn:ietf:wg:oauth:2.0:oob" in page
    assert "No personal token." in page
    assert "Issue a token" in page
    assert "no-store" in response["Cache-Control"]


# Editing -----------------------------------------------------------------------------


def test_the_owner_edits_name_redirects_and_scopes(owner_client, owner):
    application, _ = make_application(owner, scope_ids=["read", "write"])
    token, raw = services.issue_personal_token(application, owner)

    response = owner_client.post(
        _detail(application),
        {
            "name": "Renamed",
            "redirect_uris": "https://new.example/cb",
            "scopes": ["read:profile"],
        },
    )

    assert response.status_code == 302
    application.refresh_from_db()
    assert application.name == "Renamed"
    assert application.redirect_uri_list == ["https://new.example/cb"]
    assert application.scope_list == ["read:profile"]
    token.refresh_from_db()
    assert token.scope == "read:profile"


def test_an_edit_mistake_keeps_the_input(owner_client, owner):
    application, _ = make_application(owner)

    response = owner_client.post(
        _detail(application),
        {"name": "Kept", "redirect_uris": "javascript:alert(1)", "scopes": ["read"]},
    )

    page = response.content.decode()
    assert response.status_code == 400
    assert 'value="Kept"' in page
    assert "javascript:alert(1)" in page
    application.refresh_from_db()
    assert application.name == "Test client"


def test_edit_live_validation_is_a_fragment(owner_client, owner):
    application, _ = make_application(owner)

    response = owner_client.get(
        _detail(application),
        {"validate": "1", "name": "", "redirect_uris": REDIRECT, "scopes": "read"},
        HTTP_HX_REQUEST="true",
    )

    assert response.status_code == 200
    assert b"<html" not in response.content
    assert b"This field is required." in response.content


def test_live_validation_does_not_consume_a_waiting_reveal(owner_client):
    application, _ = _register(owner_client)

    owner_client.get(
        _detail(application),
        {"validate": "1", "name": "x", "redirect_uris": REDIRECT, "scopes": "read"},
        HTTP_HX_REQUEST="true",
    )
    page = owner_client.get(_detail(application)).content.decode()

    assert 'id="personal-token"' in page


# Regenerating ------------------------------------------------------------------------


def test_regenerating_the_token_without_javascript_asks_first(owner_client, owner):
    application, _ = make_application(owner)
    token, raw = services.issue_personal_token(application, owner)

    response = owner_client.post(_detail(application) + "regenerate-token")

    page = response.content.decode()
    assert response.status_code == 200
    assert "stops working at once" in page
    assert 'name="confirmed" value="1"' in page
    assert _me(raw).status_code == 200


def test_regenerating_the_token_revokes_the_old_one_and_reveals_the_new_once(
    owner_client, owner
):
    application, _ = make_application(owner)
    _token, old = services.issue_personal_token(application, owner)

    response = owner_client.post(
        _detail(application) + "regenerate-token", {"confirmed": "1"}
    )

    assert response.status_code == 302
    assert response["Location"] == _detail(application)
    page = owner_client.get(_detail(application)).content.decode()
    new = _revealed_token(page)
    assert new != old
    assert _me(old).status_code == 401
    assert _me(new).status_code == 200
    assert find_live_token(old) is None
    assert new not in owner_client.get(_detail(application)).content.decode()


def test_regenerating_keeps_the_token_lifetime(owner_client, owner):
    application, _ = make_application(owner)
    services.issue_personal_token(
        application, owner, expires=timezone.now() + timedelta(days=90)
    )

    owner_client.post(_detail(application) + "regenerate-token", {"confirmed": "1"})

    token = services.personal_token(application, owner)
    expected = timezone.now() + timedelta(days=90)
    assert abs(token.expires - expected) < timedelta(minutes=1)


def test_issuing_a_first_token_needs_no_confirmation(owner_client, owner):
    application, _ = make_application(owner)

    response = owner_client.post(_detail(application) + "regenerate-token")

    assert response.status_code == 302
    assert services.personal_token(application, owner) is not None


def test_regenerating_with_htmx_reveals_in_place(owner_client, owner):
    application, _ = make_application(owner)
    _token, old = services.issue_personal_token(application, owner)

    response = owner_client.post(
        _detail(application) + "regenerate-token",
        {"confirmed": "1"},
        HTTP_HX_REQUEST="true",
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in page
    assert page.lstrip().startswith('<div class="credential" id="token">')
    new = _revealed_token(page)
    assert _me(new).status_code == 200
    assert _me(old).status_code == 401
    assert "no-store" in response["Cache-Control"]
    assert "reveal" not in owner_client.session


def test_regenerating_the_client_secret(owner_client, owner):
    application, old = make_application(owner)

    response = owner_client.post(
        _detail(application) + "regenerate-secret", {"confirmed": "1"}
    )

    assert response.status_code == 302
    page = owner_client.get(_detail(application)).content.decode()
    new = _revealed_secret(page)
    application.refresh_from_db()
    from django.contrib.auth.hashers import check_password

    assert check_password(new, application.client_secret)
    assert not check_password(old, application.client_secret)


def test_regenerating_the_client_secret_with_htmx_is_a_fragment(owner_client, owner):
    application, _ = make_application(owner)

    response = owner_client.post(
        _detail(application) + "regenerate-secret",
        {"confirmed": "1"},
        HTTP_HX_REQUEST="true",
    )

    page = response.content.decode()
    assert "<html" not in page
    assert page.lstrip().startswith('<div class="credential" id="secret">')
    assert 'id="client-secret" value="' in page


def test_regenerating_without_confirmation_asks_for_the_secret_too(owner_client, owner):
    application, old = make_application(owner)

    response = owner_client.post(_detail(application) + "regenerate-secret")

    assert b"stops working at once" in response.content
    application.refresh_from_db()
    from django.contrib.auth.hashers import check_password

    assert check_password(old, application.client_secret)


@pytest.mark.parametrize(
    "suffix", ["regenerate-token", "regenerate-secret", "delete", ""]
)
def test_every_action_needs_a_csrf_token(owner, suffix):
    application, _ = make_application(owner)
    client = Client(enforce_csrf_checks=True)
    client.force_login(owner)

    response = client.post(_detail(application) + suffix, {"confirmed": "1"})

    assert response.status_code == 403
    assert Application.objects.filter(pk=application.pk).exists()


@pytest.mark.parametrize("suffix", ["regenerate-token", "regenerate-secret", "delete"])
def test_actions_refuse_get(owner_client, owner, suffix):
    application, _ = make_application(owner)

    assert owner_client.get(_detail(application) + suffix).status_code == 405


# Deleting ----------------------------------------------------------------------------


def test_deleting_asks_first_and_names_what_is_lost(owner_client, owner):
    application, _ = make_application(owner)

    response = owner_client.post(_detail(application) + "delete")

    page = response.content.decode()
    assert "Delete Test client?" in page
    assert "client secret stop working" in page
    assert "loses the access" in page
    assert Application.objects.filter(pk=application.pk).exists()


def test_deleting_removes_the_application_and_its_tokens(owner_client, owner):
    application, _ = make_application(owner)
    _token, raw = services.issue_personal_token(application, owner)

    response = owner_client.post(_detail(application) + "delete", {"confirmed": "1"})

    assert response.status_code == 302
    assert response["Location"] == LIST
    assert not Application.objects.exists()
    assert _me(raw).status_code == 401
    assert "Test client is deleted." in owner_client.get(LIST).content.decode()


def test_deleting_with_htmx_redirects_the_page(owner_client, owner):
    application, _ = make_application(owner)

    response = owner_client.post(
        _detail(application) + "delete", {"confirmed": "1"}, HTTP_HX_REQUEST="true"
    )

    assert response.status_code == 200
    assert response["HX-Redirect"] == LIST
    assert not Application.objects.exists()
