"""The settings pages cost a constant number of queries, whatever the number of
applications and authorizations a user has."""

import hashlib
import uuid
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from portal.oauth import services
from portal.oauth.models import AccessToken, Application

pytestmark = pytest.mark.django_db


def _applications(owner, count, start):
    applications = Application.objects.bulk_create(
        [
            Application(
                name=f"App {start + index}",
                user=owner,
                redirect_uris="https://client.example/callback",
                scope="read write:profile",
                client_type=Application.CLIENT_CONFIDENTIAL,
                authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
                client_secret="",
                hash_client_secret=False,
            )
            for index in range(count)
        ]
    )
    return list(Application.objects.filter(name__in=[a.name for a in applications]))


def _tokens(user, applications, kind):
    now = timezone.now()
    AccessToken.objects.bulk_create(
        [
            AccessToken(
                user=user,
                application=application,
                kind=kind,
                scope="read:profile write:profile",
                expires=now + timedelta(hours=1),
                token="",
                token_checksum=hashlib.sha256(uuid.uuid4().bytes).hexdigest(),
                prefix="pod_xx_abcd",
                last_used_at=now,
            )
            for application in applications
        ]
    )


def _populate(owner, other, count, start=0):
    mine = _applications(owner, count, start)
    _tokens(owner, mine, AccessToken.Kind.PERSONAL)
    theirs = _applications(other, count, start + 10_000)
    _tokens(owner, theirs, AccessToken.Kind.ACCESS)


def _count(client, path):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200
    return len(queries), response


def test_the_applications_page_is_constant_in_queries(owner_client, owner, other):
    _populate(owner, other, 1)
    one, _ = _count(owner_client, "/settings/applications/")

    _populate(owner, other, 199, start=1)
    many, response = _count(owner_client, "/settings/applications/")

    assert many == one
    page = response.content.decode()
    assert page.count('class="state expiring"') == 200
    assert page.count("Revoke access</button>") == 200


def test_the_settings_home_and_an_application_page_are_constant(
    owner_client, owner, other
):
    _populate(owner, other, 1)
    application = Application.objects.filter(user=owner).first()
    home_one, _ = _count(owner_client, "/settings/")
    detail_one, _ = _count(
        owner_client, f"/settings/applications/{application.client_id}/"
    )

    _populate(owner, other, 199, start=1)
    home_many, _ = _count(owner_client, "/settings/")
    detail_many, _ = _count(
        owner_client, f"/settings/applications/{application.client_id}/"
    )

    assert home_many == home_one
    assert detail_many == detail_one


def test_owned_applications_take_two_queries(owner, other, django_assert_num_queries):
    _populate(owner, other, 20)

    with django_assert_num_queries(2):
        entries = services.owned_applications(owner)

    assert len(entries) == 20
    assert all(entry["personal_token"] is not None for entry in entries)
    assert all(entry["last_used"] is not None for entry in entries)
