"""/settings/security/: the signed-in user's own events, newest first."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from portal.audit.models import SecurityEvent
from portal.audit.services import record

pytestmark = pytest.mark.django_db

PAGE = "/settings/security/"
Kind = SecurityEvent.Kind


def _events(user, count, kind=Kind.CONSENT_DENIED):
    SecurityEvent.objects.bulk_create(
        SecurityEvent(kind=kind, user=user, actor=user, application_name=f"App {i}")
        for i in range(count)
    )


def test_the_owner_sees_their_own_events_newest_first(owner_client, owner, other):
    record(Kind.PERSONAL_TOKEN_ISSUED, user=owner, application=None)
    record(Kind.CONSENT_DENIED, user=other, detail={})
    SecurityEvent.objects.create(
        kind=Kind.CONSENT_GRANTED, user=other, application_name="Bob's secret app"
    )

    response = owner_client.get(PAGE)

    assert response.status_code == 200
    content = response.content.decode()
    assert "<h1>Security log</h1>" in content
    assert "Personal token issued" in content
    assert "Bob&#x27;s secret app" not in content
    assert "Consent denied" not in content
    events = list(response.context["page"])
    assert all(event.user_id == owner.pk for event in events)
    assert events == sorted(events, key=lambda event: event.created, reverse=True)


def test_an_anonymous_visitor_is_sent_to_sign_in():
    response = Client().get(PAGE)

    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/settings/security/"


def test_application_names_are_escaped(owner_client, owner):
    _events(owner, 1)
    SecurityEvent.objects.filter(user=owner).update(
        application_name="<script>alert(1)</script>"
    )

    content = owner_client.get(PAGE).content.decode()

    assert "<script>alert(1)</script>" not in content
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in content


def test_twenty_events_a_page_with_a_load_more_link_that_works_without_js(
    owner_client, owner
):
    _events(owner, 45)

    first = owner_client.get(PAGE).content.decode()
    second = owner_client.get(PAGE + "?page=2").content.decode()
    third = owner_client.get(PAGE + "?page=3").content.decode()

    assert first.count("<td><time") == 20
    assert 'href="?page=2"' in first
    assert 'hx-get="/settings/security/?page=2"' in first
    assert "<html" in second and 'href="?page=3"' in second
    assert "Load more" not in third


def test_htmx_gets_the_next_rows_alone(owner_client, owner):
    _events(owner, 25)

    response = owner_client.get(PAGE + "?page=2", HTTP_HX_REQUEST="true")

    content = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in content
    assert "<table" not in content
    # 25 events plus the sign-in of force_login: 6 on the second page.
    assert content.count("<td><time") == 6
    assert "Load more" not in content
    assert response["Vary"].count("HX-Request") == 1


def test_the_query_count_does_not_grow_with_the_events(owner_client, owner, other):
    _events(owner, 5)
    SecurityEvent.objects.filter(user=owner).update(actor=other)
    with CaptureQueriesContext(connection) as few:
        owner_client.get(PAGE)

    _events(owner, 55)
    SecurityEvent.objects.filter(user=owner).update(actor=other)
    with CaptureQueriesContext(connection) as many:
        owner_client.get(PAGE)

    assert len(many) == len(few)
