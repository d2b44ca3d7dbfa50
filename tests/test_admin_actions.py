"""Admin actions revoke, disable and trust through the services, and each one
writes a security event naming the admin."""

import pytest
from django.contrib.auth.models import Permission
from django.test import Client

from portal.audit.models import SecurityEvent
from portal.oauth import tokens
from portal.oauth.bearer import find_live_token
from portal.oauth.models import AccessToken, Application, Grant, RefreshToken
from tests.oauth_helpers import (
    authorize_params,
    exchange,
    get_code,
    make_application,
)

pytestmark = pytest.mark.django_db

Kind = SecurityEvent.Kind
ME = "/api/v1/users/me/"


@pytest.fixture
def issued(owner_client, other):
    """Two sets of tokens of alice for bob's application, and a pending code."""
    application, secret = make_application(other)
    bodies = [
        exchange(
            Client(), application, secret, get_code(owner_client, application)
        ).json()
        for _ in range(2)
    ]
    get_code(owner_client, application)
    return application, bodies


def _act(admin_client, url, action, pks):
    return admin_client.post(
        url, {"action": action, "_selected_action": [str(pk) for pk in pks]}
    )


def _works(raw):
    return Client().get(ME, HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 200


def test_revoking_selected_tokens_stops_them_and_is_recorded(
    admin_client, admin_user, issued, owner
):
    application, bodies = issued
    target = AccessToken.objects.get(
        token_checksum=tokens.digest(bodies[0]["access_token"])
    )
    assert _works(bodies[0]["access_token"])

    response = _act(
        admin_client, "/admin/oauth/accesstoken/", "revoke_tokens", [target.pk]
    )

    assert response.status_code == 302
    assert not _works(bodies[0]["access_token"])
    assert _works(bodies[1]["access_token"])
    assert RefreshToken.objects.get(token_family=target.token_family).revoked
    event = SecurityEvent.objects.filter(kind=Kind.TOKEN_REVOKED).get()
    assert event.actor == admin_user
    assert event.user == owner
    assert event.application == application
    assert event.detail == {"prefix": target.prefix, "kind": "access", "by": "admin"}


def test_revoking_selected_refresh_tokens_revokes_their_family(
    admin_client, admin_user, issued
):
    _application, bodies = issued
    refresh_token = RefreshToken.objects.filter(revoked__isnull=True).first()
    family = refresh_token.token_family

    _act(
        admin_client, "/admin/oauth/refreshtoken/", "revoke_tokens", [refresh_token.pk]
    )

    assert not AccessToken.objects.filter(
        token_family=family, revoked_at__isnull=True
    ).exists()
    refresh_token.refresh_from_db()
    assert refresh_token.revoked is not None
    event = SecurityEvent.objects.get(kind=Kind.TOKEN_REVOKED)
    assert event.actor == admin_user


def test_revoking_every_token_of_an_application(
    admin_client, admin_user, issued, owner, other
):
    application, bodies = issued
    untouched, _secret = make_application(other)

    _act(
        admin_client,
        "/admin/oauth/application/",
        "revoke_all_tokens",
        [application.pk],
    )

    assert not any(_works(body["access_token"]) for body in bodies)
    assert not RefreshToken.objects.filter(revoked__isnull=True).exists()
    assert not Grant.objects.filter(redeemed_at__isnull=True).exists()
    event = SecurityEvent.objects.get(kind=Kind.APPLICATION_TOKENS_REVOKED)
    assert (event.actor, event.application) == (admin_user, application)
    assert event.detail["tokens"] == 2
    per_user = SecurityEvent.objects.get(kind=Kind.GRANT_REVOKED)
    assert (per_user.actor, per_user.user) == (admin_user, owner)
    assert not SecurityEvent.objects.filter(application=untouched).exclude(
        kind=Kind.APPLICATION_CREATED
    )


def test_a_disabled_application_loses_its_tokens_and_its_flow(
    admin_client, admin_user, owner_client, issued, other
):
    application, bodies = issued

    _act(
        admin_client,
        "/admin/oauth/application/",
        "disable_applications",
        [application.pk],
    )

    application.refresh_from_db()
    assert application.disabled_at is not None
    assert not _works(bodies[0]["access_token"])
    assert find_live_token(bodies[1]["access_token"]) is None
    consent = owner_client.get("/authorize", authorize_params(application))
    assert "unknown to the pod" in consent.content.decode()
    event = SecurityEvent.objects.get(kind=Kind.APPLICATION_DISABLED)
    assert (event.actor, event.user, event.application) == (
        admin_user,
        other,
        application,
    )

    _act(
        admin_client,
        "/admin/oauth/application/",
        "enable_applications",
        [application.pk],
    )

    assert _works(bodies[0]["access_token"])
    assert SecurityEvent.objects.get(kind=Kind.APPLICATION_ENABLED).actor == admin_user


def test_marking_an_application_trusted(admin_client, admin_user, owner):
    application, _secret = make_application(owner)

    _act(admin_client, "/admin/oauth/application/", "mark_trusted", [application.pk])
    _act(admin_client, "/admin/oauth/application/", "mark_trusted", [application.pk])

    assert Application.objects.get(pk=application.pk).trusted
    event = SecurityEvent.objects.get(kind=Kind.APPLICATION_TRUSTED)
    assert event.actor == admin_user


def test_staff_who_may_only_view_cannot_act(django_user_model, issued):
    application, bodies = issued
    viewer = django_user_model.objects.create_user("viewer", is_staff=True)
    viewer.user_permissions.add(
        Permission.objects.get(codename="view_accesstoken"),
        Permission.objects.get(codename="view_application"),
    )
    client = Client()
    client.force_login(viewer)

    assert client.get("/admin/oauth/accesstoken/").status_code == 200
    _act(
        client,
        "/admin/oauth/accesstoken/",
        "revoke_tokens",
        AccessToken.objects.values_list("pk", flat=True),
    )
    _act(client, "/admin/oauth/application/", "disable_applications", [application.pk])

    assert _works(bodies[0]["access_token"])
    assert not SecurityEvent.objects.filter(actor=viewer).exclude(
        kind=Kind.SIGN_IN_SUCCEEDED
    )


def test_a_user_who_is_not_staff_cannot_act(owner_client, issued):
    application, bodies = issued

    response = _act(
        owner_client, "/admin/oauth/application/", "revoke_all_tokens", [application.pk]
    )

    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")
    assert _works(bodies[0]["access_token"])
