"""The admin's review lists: constant queries at any size, never a token beyond
its prefix, filters that do not list every value, escaped user text."""

import uuid
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from portal.audit.models import SecurityEvent
from portal.audit.review import EstimatedCountPaginator
from portal.oauth import tokens
from portal.oauth.models import AccessToken, Grant, RefreshToken
from tests.oauth_helpers import exchange, get_code, make_application

pytestmark = pytest.mark.django_db

TOKENS = "/admin/oauth/accesstoken/"
LISTS = [
    TOKENS,
    "/admin/oauth/refreshtoken/",
    "/admin/oauth/grant/",
    "/admin/oauth/application/",
    "/admin/audit/securityevent/",
]


def make_token(**fields):
    raw = tokens.generate(tokens.ACCESS_PREFIX)
    token = AccessToken(**{"prefix": tokens.public_prefix(raw), **fields})
    token._raw_token = raw
    token.save()
    return token


def _fill(count, django_user_model, batch):
    """Create ``count`` rows in each reviewed table, spread over users and apps."""
    users = [
        django_user_model.objects.create_user(
            f"user{batch}-{i}", f"user{batch}-{i}@example.com"
        )
        for i in range(max(1, count // 50))
    ]
    applications = [make_application(users[0])[0] for _ in range(max(1, min(count, 5)))]
    now = timezone.now()
    access_tokens = []
    for i in range(count):
        raw = tokens.generate(tokens.ACCESS_PREFIX)
        token = AccessToken(
            user=users[i % len(users)],
            application=applications[i % len(applications)],
            scope="read:profile read:libraries",
            expires=now + timedelta(hours=1 - (i % 3)),
            prefix=tokens.public_prefix(raw),
            token_family=uuid.uuid4(),
            revoked_at=now if i % 5 == 0 else None,
            last_used_at=now if i % 2 else None,
            last_used_ip="192.0.2.1" if i % 2 else None,
        )
        token._raw_token = raw
        access_tokens.append(token)
    AccessToken.objects.bulk_create(access_tokens)
    refresh_tokens = []
    for token in access_tokens:
        raw = tokens.generate(tokens.REFRESH_PREFIX)
        refresh_token = RefreshToken(
            user_id=token.user_id,
            application_id=token.application_id,
            access_token=token,
            token_family=token.token_family,
            prefix=tokens.public_prefix(raw),
        )
        refresh_token._raw_token = raw
        refresh_tokens.append(refresh_token)
    RefreshToken.objects.bulk_create(refresh_tokens)
    Grant.objects.bulk_create(
        Grant(
            user=users[i % len(users)],
            application=applications[i % len(applications)],
            code=tokens.digest(f"code-{i}-{uuid.uuid4()}"),
            expires=now + timedelta(minutes=1),
            redirect_uri="https://client.example/callback",
            scope="read:profile",
        )
        for i in range(count)
    )
    SecurityEvent.objects.bulk_create(
        SecurityEvent(
            kind=SecurityEvent.Kind.TOKEN_REVOKED,
            user=users[i % len(users)],
            actor=users[i % len(users)],
            application=applications[i % len(applications)],
            application_name="Test client",
            detail={"by": "user"},
        )
        for i in range(count)
    )


def _queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(queries)


@pytest.mark.parametrize("url", LISTS)
def test_a_list_costs_the_same_queries_at_1_and_500_rows(
    url, admin_client, django_user_model
):
    _fill(1, django_user_model, "a")
    few = _queries(admin_client, url)
    filtered_few = _queries(admin_client, url + "?q=usera")

    _fill(499, django_user_model, "b")
    many = _queries(admin_client, url)
    filtered_many = _queries(admin_client, url + "?q=usera")

    assert many == few
    assert filtered_many == filtered_few


def test_the_token_list_shows_the_review_columns_and_never_a_token(
    admin_client, owner_client, owner, other
):
    application, secret = make_application(other)
    body = exchange(
        Client(), application, secret, get_code(owner_client, application)
    ).json()
    token = AccessToken.objects.get()

    content = admin_client.get(TOKENS).content.decode()

    for column in ("Public prefix", "User", "Application", "Scope", "Created"):
        assert column in content
    for column in ("Expires", "Last used", "Last IP", "State"):
        assert column in content
    assert token.prefix in content
    assert "active" in content
    assert body["access_token"] not in content
    assert body["access_token"][: len(token.prefix) + 1] not in content
    assert token.token_checksum not in content

    detail = admin_client.get(f"{TOKENS}{token.pk}/change/").content.decode()
    assert token.prefix in detail
    assert token.token_checksum not in detail
    assert body["access_token"][: len(token.prefix) + 1] not in detail
    assert 'name="token' not in detail


def test_the_refresh_token_and_code_pages_show_no_secret(
    admin_client, owner_client, owner, other
):
    application, secret = make_application(other)
    code = get_code(owner_client, application)
    grant = Grant.objects.get()
    body = exchange(Client(), application, secret, code).json()
    refresh_token = RefreshToken.objects.get()

    pages = [
        admin_client.get("/admin/oauth/refreshtoken/"),
        admin_client.get(f"/admin/oauth/refreshtoken/{refresh_token.pk}/change/"),
        admin_client.get("/admin/oauth/grant/"),
        admin_client.get(f"/admin/oauth/grant/{grant.pk}/change/"),
    ]

    for response in pages:
        content = response.content.decode()
        assert response.status_code == 200
        assert body["refresh_token"][:12] not in content
        assert refresh_token.token_checksum not in content
        assert code not in content
        assert grant.code not in content


def test_nothing_can_be_added_changed_or_deleted_by_hand(admin_client, owner):
    application, _secret = make_application(owner)

    assert admin_client.get("/admin/oauth/accesstoken/add/").status_code == 403
    assert admin_client.get("/admin/oauth/application/add/").status_code == 403
    response = admin_client.post(
        f"/admin/oauth/application/{application.pk}/change/", {"name": "Hijacked"}
    )
    assert response.status_code == 403
    assert (
        admin_client.get(
            f"/admin/oauth/application/{application.pk}/delete/"
        ).status_code
        == 403
    )
    application.refresh_from_db()
    assert application.name == "Test client"


@pytest.mark.parametrize("url", LISTS)
def test_a_user_who_is_not_staff_is_sent_to_the_admin_sign_in(url, owner_client):
    response = owner_client.get(url)

    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def test_an_application_name_with_html_is_escaped(admin_client, owner):
    application, _secret = make_application(owner)
    application.name = "<script>alert(1)</script>"
    application.save()
    token = make_token(user=owner, application=application, scope="read")
    SecurityEvent.objects.create(
        kind=SecurityEvent.Kind.APPLICATION_CREATED,
        application=application,
        application_name=application.name,
    )

    for url in [
        "/admin/oauth/application/",
        f"/admin/oauth/application/{application.pk}/change/",
        TOKENS,
        f"{TOKENS}{token.pk}/change/",
        "/admin/audit/securityevent/",
    ]:
        content = admin_client.get(url).content.decode()
        assert "<script>alert(1)</script>" not in content, url
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in content, url


class TestFilters:
    @pytest.fixture
    def rows(self, owner, other):
        now = timezone.now()
        first, _ = make_application(owner)
        second, _ = make_application(owner)

        def token(prefix, application, user, **fields):
            return make_token(
                prefix=prefix,
                application=application,
                user=user,
                scope=fields.pop("scope", "read:profile"),
                **fields,
            )

        return {
            "active": token("pod_at_aaaa", first, owner, expires=now + timedelta(1)),
            "expired": token("pod_at_bbbb", first, other, expires=now - timedelta(1)),
            "revoked": token("pod_at_cccc", second, owner, revoked_at=now),
            "old_use": token(
                "pod_at_dddd",
                second,
                other,
                last_used_at=now - timedelta(days=40),
                scope="read:profile write:libraries",
            ),
            "first": first,
            "second": second,
        }

    def _prefixes(self, admin_client, query):
        response = admin_client.get(TOKENS + query)
        assert response.status_code == 200
        return {token.prefix for token in response.context["cl"].result_list}

    def test_by_state(self, admin_client, rows):
        assert self._prefixes(admin_client, "?state=active") == {
            "pod_at_aaaa",
            "pod_at_dddd",
        }
        assert self._prefixes(admin_client, "?state=expired") == {"pod_at_bbbb"}
        assert self._prefixes(admin_client, "?state=revoked") == {"pod_at_cccc"}

    def test_by_client_id_typed_in_a_box(self, admin_client, rows):
        client_id = rows["second"].client_id

        response = admin_client.get(TOKENS)
        assert 'name="client_id"' in response.content.decode()
        assert self._prefixes(admin_client, f"?client_id={client_id}") == {
            "pod_at_cccc",
            "pod_at_dddd",
        }
        assert self._prefixes(admin_client, "?client_id=nope") == set()

    def test_by_scope_and_last_use(self, admin_client, rows):
        assert self._prefixes(admin_client, "?scope=write:libraries") == {"pod_at_dddd"}
        assert self._prefixes(admin_client, "?last_used=30") == {"pod_at_dddd"}
        assert self._prefixes(admin_client, "?last_used=90") == set()
        assert "pod_at_dddd" not in self._prefixes(admin_client, "?last_used=never")

    def test_search_by_username_e_mail_application_and_client_id(
        self, admin_client, rows
    ):
        assert self._prefixes(admin_client, "?q=bob") == {"pod_at_bbbb", "pod_at_dddd"}
        assert self._prefixes(admin_client, "?q=alice@example.com") == {
            "pod_at_aaaa",
            "pod_at_cccc",
        }
        assert len(self._prefixes(admin_client, "?q=Test+client")) == 4
        client_id = rows["first"].client_id
        assert self._prefixes(admin_client, f"?q={client_id}") == {
            "pod_at_aaaa",
            "pod_at_bbbb",
        }

    def test_events_filter_by_kind_user_and_application(
        self, admin_client, rows, owner
    ):
        response = admin_client.get(
            "/admin/audit/securityevent/?kind=application_created&username=ALICE"
            f"&client_id={rows['second'].client_id}"
        )

        events = list(response.context["cl"].result_list)
        assert [event.application_id for event in events] == [rows["second"].pk]


def test_a_count_above_the_cap_is_capped(owner, monkeypatch):
    monkeypatch.setattr(EstimatedCountPaginator, "CAP", 3)
    application, _secret = make_application(owner)
    for _ in range(5):
        make_token(application=application, user=owner)

    paginator = EstimatedCountPaginator(AccessToken.objects.order_by("-id"), 2)

    assert paginator.count == 3
    assert paginator.num_pages == 2
    assert EstimatedCountPaginator(AccessToken.objects.none(), 2).count == 0


def test_the_application_page_counts_users_and_live_tokens(
    admin_client, owner_client, owner, other
):
    application, secret = make_application(other)
    for _ in range(2):
        exchange(Client(), application, secret, get_code(owner_client, application))
    make_token(
        user=other,
        application=application,
        expires=timezone.now() - timedelta(hours=1),
    )

    response = admin_client.get(f"/admin/oauth/application/{application.pk}/change/")

    content = response.content.decode()
    assert response.status_code == 200
    assert "Users who granted it" in content
    assert '<div class="readonly">2</div>' in content
    assert (
        f'2 (<a href="/admin/oauth/accesstoken/?client_id={application.client_id}'
        in content
    )
    assert application.client_secret not in content
