"""A real OAuth client library runs the authorization-code flow with PKCE against
the live server, with a person consenting in Chromium."""

import json
import urllib.error
import urllib.request

import pytest
import requests
from playwright.sync_api import expect
from requests_oauthlib import OAuth2Session

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CALLBACK = "https://client.example/callback"


def _register(base_url):
    response = requests.post(
        f"{base_url}/api/v1/oauth/apps/",
        json={
            "name": "Music player",
            "redirect_uris": f"{CALLBACK} urn:ietf:wg:oauth:2.0:oob",
            "scopes": "read write:favorites",
        },
        timeout=10,
    )
    assert response.status_code == 201, response.text
    return response.json()


def _capture_callback(page):
    """Answer the client's redirect URI inside the browser and keep its URL."""
    captured = []

    def fulfil(route):
        captured.append(route.request.url)
        route.fulfill(status=200, content_type="text/html", body="<p>Connected</p>")

    page.route(f"{CALLBACK}**", fulfil)
    return captured


def _status(url, token):
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def test_a_client_library_runs_the_whole_flow(signed_in_page, live_server, monkeypatch):
    # The live server speaks plain http on loopback.
    monkeypatch.setenv("OAUTHLIB_INSECURE_TRANSPORT", "1")
    base = live_server.url
    registered = _register(base)
    session = OAuth2Session(
        registered["client_id"],
        redirect_uri=CALLBACK,
        scope=["read:profile", "write:favorites"],
        pkce="S256",
    )
    authorization_url, state = session.authorization_url(f"{base}/authorize")
    page = signed_in_page
    captured = _capture_callback(page)

    page.goto(authorization_url)
    expect(page.get_by_role("heading", name="Authorize Music player?")).to_be_visible()
    expect(page.get_by_text("Registered anonymously")).to_be_visible()
    page.get_by_role("button", name="Authorize").click()
    expect(page.get_by_text("Connected")).to_be_visible()

    assert f"state={state}" in captured[0]
    assert "iss=" in captured[0]
    token = session.fetch_token(
        f"{base}/api/v1/oauth/token/",
        authorization_response=captured[0],
        client_secret=registered["client_secret"],
        include_client_id=True,
    )
    assert token["access_token"].startswith("pod_at_")

    me = session.get(f"{base}/api/v1/users/me/")
    assert me.status_code == 200
    assert me.json()["username"] == "alice"
    assert "read:profile" in me.json()["scopes"]

    old_access = token["access_token"]
    refreshed = session.refresh_token(
        f"{base}/api/v1/oauth/token/",
        client_id=registered["client_id"],
        client_secret=registered["client_secret"],
    )
    assert refreshed["access_token"] != old_access
    assert _status(f"{base}/api/v1/users/me/", old_access) == 401
    assert _status(f"{base}/api/v1/users/me/", refreshed["access_token"]) == 200

    revoked = requests.post(
        f"{base}/api/v1/oauth/revoke/",
        data={"token": refreshed["access_token"]},
        auth=(registered["client_id"], registered["client_secret"]),
        timeout=10,
    )
    assert revoked.status_code == 200
    assert _status(f"{base}/api/v1/users/me/", refreshed["access_token"]) == 401


def test_an_out_of_band_code_is_copied_from_the_page_and_exchanged(
    signed_in_page, live_server
):
    base = live_server.url
    registered = _register(base)
    page = signed_in_page
    page.goto(
        f"{base}/authorize?client_id={registered['client_id']}&response_type=code"
        "&redirect_uri=urn:ietf:wg:oauth:2.0:oob&scope=read:profile&state=s1"
    )
    page.get_by_role("button", name="Authorize").click()

    expect(page.get_by_role("heading", name="Your authorization code")).to_be_visible()
    expect(page).to_have_url(f"{base}/authorize")
    code = page.get_by_label("Authorization code").input_value()
    response = requests.post(
        f"{base}/api/v1/oauth/token/",
        data={
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": "urn:ietf:wg:oauth:2.0:oob",
            "client_id": registered["client_id"],
            "client_secret": registered["client_secret"],
        },
        timeout=10,
    )

    assert response.status_code == 200, response.text
    body = json.loads(response.text)
    assert _status(f"{base}/api/v1/users/me/", body["access_token"]) == 200
