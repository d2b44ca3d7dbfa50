"""More property-based tests of the parsers of untrusted input: IPv6 literals and
percent-encoding in redirect URIs, rate strings, Authorization headers through
the real middleware and API, and inputs far larger than any honest client's."""

import base64
import string
import time

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from portal.oauth import redirects, scopes
from portal.oauth.bearer import BearerError, parse_authorization
from portal.ratelimit.rates import PERIODS, SCOPES, Rate, env_rates, parse_rate

fast = settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
through_django = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)

REGISTERED = ["https://client.example/callback", "http://[::1]/cb"]
HEX = "0123456789abcdefABCDEF"


# IPv6 literals in redirect URIs ----------------------------------------------------


@fast
@given(st.integers(min_value=0, max_value=65535))
def test_the_ipv6_loopback_matches_on_any_port(port):
    assert redirects.matches(f"http://[::1]:{port}/cb", REGISTERED)
    assert not redirects.matches(f"http://[::1]:{port}/cb/", REGISTERED)
    assert not redirects.matches(f"https://[::1]:{port}/cb", REGISTERED)


@pytest.mark.parametrize(
    "host",
    [
        "[0:0:0:0:0:0:0:1]",
        "[::0:1]",
        "[0::1]",
        "[::0001]",
        "[::1%25eth0]",
        "[::ffff:127.0.0.1]",
        "[::ffff:7f00:1]",
        "[::2]",
        "[::]",
        "[fe80::1]",
        "[::1]]",
        "[[::1]",
        "[::1].evil.example",
        "::1",
    ],
)
def test_only_the_canonical_ipv6_loopback_is_a_loopback(host):
    uri = f"http://{host}/cb"

    assert not redirects.matches(uri, REGISTERED)
    assert not redirects.matches(f"http://{host}:8080/cb", REGISTERED)
    with pytest.raises(redirects.InvalidRedirectURI):
        redirects.validate(uri)


@fast
@given(st.text(alphabet=HEX + ":.%[]", max_size=40), st.sampled_from(["http", "https"]))
def test_bracketed_hosts_are_accepted_exactly_or_refused_cleanly(inside, scheme):
    uri = f"{scheme}://[{inside}]/cb"

    try:
        accepted = redirects.validate(uri)
    except redirects.InvalidRedirectURI:
        return
    assert accepted == uri
    if scheme == "http":
        assert inside == "::1"


@pytest.mark.parametrize(
    "uri",
    [
        "http://[::1/cb",
        "http://::1]/cb",
        "https://[/cb",
        "https://[]/cb",
        "http://[::1]:99999/cb",
        "http://[::1]:-1/cb",
    ],
)
def test_malformed_ipv6_literals_are_refused(uri):
    with pytest.raises(redirects.InvalidRedirectURI):
        redirects.validate(uri)
    assert not redirects.matches(uri, REGISTERED)


@pytest.mark.parametrize(
    "port", ["²", "١٢", "８０", "65536", "99999", "000080", "+80", "-1", "8 0", "0x50"]
)
@pytest.mark.parametrize("host", ["127.0.0.1", "[::1]"])
def test_a_loopback_port_is_one_to_five_ascii_digits_below_65536(host, port):
    registered = [f"http://{host}/cb"]

    assert not redirects.matches(f"http://{host}:{port}/cb", registered)


# Percent-encoding in redirect URIs ------------------------------------------------


@fast
@given(
    st.sampled_from(REGISTERED),
    st.data(),
    st.booleans(),
)
def test_percent_encoding_any_character_never_matches(registered, data, upper):
    position = data.draw(st.integers(min_value=0, max_value=len(registered) - 1))
    encoded = f"%{ord(registered[position]):02x}"
    tampered = (
        registered[:position]
        + (encoded.upper() if upper else encoded)
        + registered[position + 1 :]
    )

    assert not redirects.matches(tampered, REGISTERED)


@fast
@given(
    st.lists(
        st.one_of(
            st.sampled_from(string.ascii_letters + string.digits + "-._~/"),
            st.builds(
                lambda a, b: f"%{a}{b}", st.sampled_from(HEX), st.sampled_from(HEX)
            ),
        ),
        max_size=30,
    )
)
def test_a_percent_encoded_path_is_kept_byte_for_byte(pieces):
    uri = "https://client.example/" + "".join(pieces)

    assert redirects.validate(uri) == uri
    assert redirects.matches(uri, [uri])
    if "%" in uri:
        from urllib.parse import unquote

        decoded = unquote(uri)
        assert decoded == uri or not redirects.matches(decoded, [uri])


@pytest.mark.parametrize(
    "uri",
    [
        "https://client.example/cb%0d%0aLocation:%20https://evil.example",
        "https://client.example/cb%00",
        "https://client.example/%2e%2e/cb",
        "https://client.example%2eevil.example/cb",
    ],
)
def test_percent_encoded_control_characters_stay_encoded(uri):
    accepted = redirects.validate(uri)

    assert accepted == uri
    assert "\r" not in accepted and "\n" not in accepted and "\x00" not in accepted


# Rate strings -----------------------------------------------------------------------

_space = st.text(alphabet=" \t", max_size=3)


@fast
@given(
    st.integers(min_value=1, max_value=10**12),
    st.sampled_from(sorted(PERIODS)),
    _space,
    _space,
    _space,
)
def test_a_well_formed_rate_round_trips(count, period, before, middle, after):
    rate = parse_rate(f"{before}{count}{middle}/{middle}{period}{after}")

    assert rate == Rate(count=count, duration=PERIODS[period])
    assert parse_rate(str(rate)) == rate


@fast
@given(st.text(max_size=60))
def test_rate_parsing_returns_a_positive_rate_or_a_value_error(text):
    try:
        rate = parse_rate(text)
    except ValueError:
        return
    assert rate.count >= 1
    assert rate.duration in PERIODS.values()


@pytest.mark.parametrize(
    "text",
    [
        "0/h",
        "-1/h",
        "1.5/h",
        "1/x",
        "1/hh",
        "h/1",
        "1//h",
        "1 h",
        "/h",
        "1/",
        "",
        "1e3/h",
    ],
)
def test_malformed_rates_are_refused(text):
    with pytest.raises(ValueError):
        parse_rate(text)


@fast
@given(
    st.lists(
        st.tuples(
            st.one_of(st.sampled_from(sorted(SCOPES)), st.text(max_size=12)),
            st.one_of(
                st.builds(
                    lambda count, period: f"{count}/{period}",
                    st.integers(min_value=0, max_value=10**6),
                    st.sampled_from(["s", "m", "h", "d", "w", ""]),
                ),
                st.text(max_size=12),
            ),
        ),
        max_size=5,
    ),
    st.sampled_from([",", " , ", ",,"]),
)
def test_rate_overrides_configure_every_scope_or_stop_the_process(entries, separator):
    value = separator.join(f"{scope}={rate}" for scope, rate in entries)

    try:
        rates = env_rates("THROTTLING_RATES", environ={"THROTTLING_RATES": value})
    except ImproperlyConfigured as error:
        assert "THROTTLING_RATES" in str(error)
        return
    assert set(rates) == set(SCOPES)
    assert all(parse_rate(rate).count >= 1 for rate in rates.values())


def test_a_rate_with_a_count_too_long_for_int_is_refused():
    with pytest.raises(ImproperlyConfigured, match="THROTTLING_RATES"):
        env_rates(
            "THROTTLING_RATES", environ={"THROTTLING_RATES": f"login={'9' * 5000}/h"}
        )


# Authorization headers through the middleware and the API -------------------------


def _as_wsgi(text):
    # A WSGI server hands headers over as latin-1: UTF-8 bytes arrive that way.
    return text.encode("utf-8").decode("latin-1")


_headers = st.one_of(
    st.text(max_size=300).map(_as_wsgi),
    st.builds(
        lambda scheme, tokens, separator: _as_wsgi(
            scheme + " " + separator.join(tokens)
        ),
        st.sampled_from(["Bearer", "bearer", "BEARER", "Basic", "Token", ""]),
        st.lists(
            st.one_of(
                st.just("pod_pt_" + "a" * 43),
                st.text(alphabet=string.ascii_letters + "-._~+/=", min_size=1),
                st.text(min_size=1, max_size=20),
            ),
            min_size=1,
            max_size=4,
        ),
        st.sampled_from([" ", ", ", ",", "\t", "  "]),
    ),
    st.integers(min_value=1, max_value=12_000).map(lambda n: "Bearer " + "a" * n),
)


@pytest.mark.django_db
@through_django
@given(
    header=_headers, path=st.sampled_from(["/api/v1/users/me/", "/api/v1/oauth/apps/"])
)
def test_any_authorization_header_gets_401_from_a_protected_view(header, path):
    response = Client().get(path, HTTP_AUTHORIZATION=header)

    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith('Bearer realm="api"')


@pytest.mark.django_db
@through_django
@given(header=_headers)
def test_any_authorization_header_gets_200_or_401_from_an_open_view(header):
    response = Client().get("/api/v1/rate-limit/", HTTP_AUTHORIZATION=header)

    assert response.status_code in (200, 401)
    if response.status_code == 200:
        assert response.json()["ident"]["type"] == "anonymous"


@pytest.mark.django_db
@through_django
@given(header=_headers)
def test_any_authorization_header_at_the_token_endpoint_is_a_client_error(header):
    response = Client().post(
        "/api/v1/oauth/token/",
        {"grant_type": "authorization_code", "code": "x"},
        HTTP_AUTHORIZATION=header,
    )

    assert 400 <= response.status_code < 500


_NUL_BASIC = "Basic " + base64.b64encode(b"client\x00id:secret").decode()


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/api/v1/oauth/token/", "/api/v1/oauth/revoke/"])
@pytest.mark.parametrize(
    ("data", "authorization"),
    [
        pytest.param(
            {"client_id": "client\x00id", "client_secret": "secret"},
            None,
            id="nul-in-body-client-id",
        ),
        pytest.param({}, _NUL_BASIC, id="nul-in-basic-client-id"),
        pytest.param({}, _as_wsgi("Basic é"), id="non-ascii-basic"),
        pytest.param({}, "Basic " + "é" * 10, id="non-latin-basic"),
        pytest.param({}, "Basic =", id="bad-padding-basic"),
    ],
)
def test_client_credentials_no_database_can_hold_are_refused(path, data, authorization):
    extra = {"HTTP_AUTHORIZATION": authorization} if authorization else {}

    response = Client().post(
        path,
        {"grant_type": "authorization_code", "code": "x", "token": "x", **data},
        **extra,
    )

    assert response.status_code == 401
    assert response.json()["error"] == "invalid_client"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "authorization",
    [_NUL_BASIC, _as_wsgi("Basic é"), "Basic " + "é" * 10],
    ids=["nul-in-basic-client-id", "non-ascii-basic", "non-latin-basic"],
)
def test_introspection_refuses_credentials_no_database_can_hold(authorization):
    response = Client().post(
        "/api/v1/oauth/introspect/",
        {"token": "pod_at_x", "client_id": "client\x00id"},
        HTTP_AUTHORIZATION=authorization,
    )

    assert response.status_code == 401
    assert response.json()["error"] == "invalid_client"


# Huge inputs ------------------------------------------------------------------------


MEGABYTE = 1024 * 1024


def _quick(call, *args):
    started = time.perf_counter()
    try:
        return call(*args)
    finally:
        assert time.perf_counter() - started < 1.0


@pytest.mark.parametrize(
    "value",
    [
        "a" * MEGABYTE,
        "read " * (MEGABYTE // 5),
        ",".join(["read"] * (MEGABYTE // 5)),
        "read:" * (MEGABYTE // 5),
    ],
    ids=["one-word", "repeated-ids", "commas", "colons"],
)
def test_huge_scope_strings_are_parsed_or_refused_quickly(value):
    try:
        parsed = _quick(scopes.parse, value)
    except scopes.InvalidScope:
        return
    assert parsed == ["read"]


@pytest.mark.parametrize(
    "value",
    [
        "https://client.example/" + "a" * MEGABYTE,
        "https://client.example/cb " * (MEGABYTE // 25),
        "[" * MEGABYTE,
        "%" * MEGABYTE,
    ],
    ids=["long-uri", "many-uris", "brackets", "percents"],
)
def test_huge_redirect_inputs_are_handled_quickly(value):
    uris = _quick(redirects.split_uris, value)
    for uri in uris[:50]:
        with pytest.raises(redirects.InvalidRedirectURI):
            _quick(redirects.validate, uri + "#")
    assert not _quick(redirects.matches, value, REGISTERED)


@pytest.mark.parametrize(
    "header",
    [
        "Bearer " + "a" * MEGABYTE,
        "Bearer " + "a " * (MEGABYTE // 2),
        "Basic " + "a" * MEGABYTE,
        " " * MEGABYTE,
    ],
    ids=["long-token", "many-tokens", "long-basic", "spaces"],
)
def test_huge_authorization_headers_are_handled_quickly(header):
    try:
        token = _quick(parse_authorization, header)
    except BearerError:
        return
    assert token is None


def test_a_huge_rate_string_is_refused_quickly():
    with pytest.raises(ValueError):
        _quick(parse_rate, "1" * MEGABYTE + "/x")
