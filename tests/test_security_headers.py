import pytest

pytestmark = pytest.mark.django_db


def test_pages_carry_the_production_headers(client, settings):
    settings.DEBUG = False

    response = client.get("/accounts/login/")

    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"
    policy = response["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in policy
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy


def test_pages_have_no_inline_script(client):
    content = client.get("/accounts/login/").content.decode()

    assert "<script>" not in content
    assert content.count("<script") == content.count("<script src=")


def test_plain_http_base_url_keeps_cookies_usable_on_loopback():
    from django.conf import settings

    assert settings.PORTAL_BASE_URL.startswith("http://")
    assert settings.SESSION_COOKIE_SECURE is False
    assert settings.SECURE_HSTS_SECONDS == 0


def test_https_base_url_turns_on_secure_cookies_and_hsts(monkeypatch):
    import importlib

    import portal.settings as portal_settings

    monkeypatch.setenv("PORTAL_BASE_URL", "https://pod.example")
    monkeypatch.setenv("DJANGO_SECRET_KEY", "x" * 50)
    try:
        reloaded = importlib.reload(portal_settings)
        assert reloaded.SESSION_COOKIE_SECURE is True
        assert reloaded.CSRF_COOKIE_SECURE is True
        assert reloaded.SECURE_HSTS_SECONDS >= 31536000
        assert reloaded.ALLOWED_HOSTS == ["pod.example"]
    finally:
        monkeypatch.delenv("PORTAL_BASE_URL")
        importlib.reload(portal_settings)


def test_production_refuses_to_start_without_a_secret_key(monkeypatch):
    import importlib

    from django.core.exceptions import ImproperlyConfigured

    import portal.settings as portal_settings

    monkeypatch.delenv("DJANGO_SECRET_KEY", raising=False)
    monkeypatch.setenv("DJANGO_DEBUG", "false")
    try:
        with pytest.raises(ImproperlyConfigured, match="DJANGO_SECRET_KEY"):
            importlib.reload(portal_settings)
    finally:
        monkeypatch.setenv("DJANGO_SECRET_KEY", "test-only-key-not-for-any-deployment")
        importlib.reload(portal_settings)


def test_static_files_are_served_by_whitenoise(client):
    response = client.get("/static/portal/portal.css")

    assert response.status_code == 200
    assert b"prefers-color-scheme" in b"".join(response.streaming_content)
