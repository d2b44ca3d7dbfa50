import pytest

from portal.audit.models import SecurityEvent

pytestmark = pytest.mark.django_db


def test_showing_the_new_token_once_is_recorded_with_its_prefix_only(owner_client):
    response = owner_client.post(
        "/settings/applications/new",
        {
            "name": "Reveal",
            "redirect_uris": "https://client.example/cb",
            "scopes": ["read"],
            "token_expiry": "never",
        },
    )
    page = owner_client.get(response["Location"]).content.decode()

    event = SecurityEvent.objects.get(kind="personal_token_revealed")
    assert event.detail["prefix"].startswith("pod_pt_")
    assert event.detail["prefix"] in page
    owner_client.get(response["Location"])
    assert SecurityEvent.objects.filter(kind="personal_token_revealed").count() == 1
