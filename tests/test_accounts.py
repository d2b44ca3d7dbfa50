import pytest
from django.contrib.auth import get_user_model

pytestmark = pytest.mark.django_db


def test_login_page_renders_a_labelled_form(client):
    response = client.get("/accounts/login/")

    assert response.status_code == 200
    assert b'<label for="id_username">Username or e-mail</label>' in response.content
    assert b'<label for="id_password">' in response.content


def test_login_with_username_goes_to_settings(client, owner, password):
    response = client.post(
        "/accounts/login/", {"username": "alice", "password": password}
    )

    assert response.status_code == 302
    assert response["Location"] == "/settings/"
    assert client.get("/settings/").status_code == 200


def test_login_with_email_works_too(client, owner, password):
    response = client.post(
        "/accounts/login/", {"username": "ALICE@example.com", "password": password}
    )

    assert response.status_code == 302
    assert "_auth_user_id" in client.session


def test_login_with_a_wrong_password_shows_an_error(client, owner):
    response = client.post("/accounts/login/", {"username": "alice", "password": "x"})

    assert response.status_code == 200
    assert b'role="alert"' in response.content
    assert "_auth_user_id" not in client.session


def test_an_email_shared_by_two_accounts_signs_into_neither(
    client, django_user_model, password
):
    django_user_model.objects.create_user("c1", "shared@example.com", password)
    django_user_model.objects.create_user("c2", "shared@example.com", password)

    client.post(
        "/accounts/login/", {"username": "shared@example.com", "password": password}
    )

    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize(
    "target",
    [
        "//evil.example",
        "https://evil.example",
        "/\\evil.example",
        "http:evil.example",
        "\\\\evil.example",
    ],
)
def test_login_never_redirects_off_site(client, owner, password, target):
    response = client.post(
        "/accounts/login/",
        {"username": "alice", "password": password, "next": target},
    )

    assert response.status_code == 302
    assert response["Location"] == "/settings/"


def test_login_follows_an_on_site_next(client, owner, password):
    response = client.post(
        "/accounts/login/",
        {"username": "alice", "password": password, "next": "/accounts/password/"},
    )

    assert response["Location"] == "/accounts/password/"


def test_logout_needs_a_post(owner_client):
    assert owner_client.get("/accounts/logout/").status_code == 405

    response = owner_client.post("/accounts/logout/")

    assert response.status_code == 302
    assert "_auth_user_id" not in owner_client.session


def test_logout_is_csrf_protected(owner, password):
    from django.test import Client

    csrf_client = Client(enforce_csrf_checks=True)
    csrf_client.force_login(owner)

    assert csrf_client.post("/accounts/logout/").status_code == 403
    assert "_auth_user_id" in csrf_client.session


def test_settings_sends_anonymous_visitors_to_login(client):
    response = client.get("/settings/")

    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/settings/"


def test_signup_creates_an_account_and_signs_in(client):
    response = client.post(
        "/accounts/signup/",
        {
            "username": "carol",
            "email": "carol@example.com",
            "password1": "a long and unusual passphrase",
            "password2": "a long and unusual passphrase",
        },
    )

    assert response.status_code == 302
    user = get_user_model().objects.get(username="carol")
    assert user.email == "carol@example.com"
    assert client.session["_auth_user_id"] == str(user.pk)


def test_signup_refuses_an_email_already_in_use(client, owner):
    response = client.post(
        "/accounts/signup/",
        {
            "username": "mallory",
            "email": "alice@example.com",
            "password1": "a long and unusual passphrase",
            "password2": "a long and unusual passphrase",
        },
    )

    assert response.status_code == 200
    assert b"already exists" in response.content
    assert not get_user_model().objects.filter(username="mallory").exists()


def test_signup_closed_answers_404_and_hides_the_link(client, settings):
    settings.PORTAL_SIGNUP_OPEN = False

    assert client.get("/accounts/signup/").status_code == 404
    assert b"/accounts/signup/" not in client.get("/accounts/login/").content
    response = client.post(
        "/accounts/signup/",
        {"username": "dave", "password1": "x" * 20, "password2": "x" * 20},
    )
    assert response.status_code == 404
    assert not get_user_model().objects.filter(username="dave").exists()


def test_password_change_keeps_the_session_and_changes_the_password(
    owner_client, owner, password
):
    response = owner_client.post(
        "/accounts/password/",
        {
            "old_password": password,
            "new_password1": "another long passphrase",
            "new_password2": "another long passphrase",
        },
    )

    assert response.status_code == 302
    owner.refresh_from_db()
    assert owner.check_password("another long passphrase")
    assert owner_client.get("/settings/").status_code == 200


def test_create_user_and_createsuperuser_work(monkeypatch, django_user_model):
    from django.core.management import call_command

    monkeypatch.setenv("DJANGO_SUPERUSER_USERNAME", "admin")
    monkeypatch.setenv("DJANGO_SUPERUSER_EMAIL", "admin@example.com")
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "an admin passphrase")
    call_command("createsuperuser", "--noinput", verbosity=0)

    admin = django_user_model.objects.get(username="admin")
    assert admin.is_superuser and admin.check_password("an admin passphrase")


def test_demo_user_command_prints_credentials_that_work(
    client, settings, tmp_path, capsys
):
    from django.core.management import call_command

    settings.VAR_DIR = tmp_path
    call_command("demo_user")
    printed = capsys.readouterr().out
    password = (tmp_path / "demo-password.txt").read_text().strip()

    assert password in printed
    response = client.post(
        "/accounts/login/", {"username": "demo", "password": password}
    )
    assert response.status_code == 302
