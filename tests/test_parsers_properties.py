"""Property-based tests of the parsers that read untrusted input."""

import string

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from portal.oauth import redirects, scopes
from portal.oauth.bearer import BearerError, parse_authorization
from portal.oauth.validators import CODE_VERIFIER

REGISTERED = ["https://client.example/cb", "http://127.0.0.1/cb"]
fast = settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


@fast
@given(st.text(max_size=300))
def test_redirect_validation_either_accepts_or_raises_its_own_error(uri):
    try:
        accepted = redirects.validate(uri)
    except redirects.InvalidRedirectURI:
        return
    assert accepted == uri
    assert "#" not in uri
    assert not any(ch.isspace() for ch in uri)


@fast
@given(
    st.sampled_from(["https://", "http://", "HTTPS://", "javascript:", "//", ""]),
    st.text(alphabet=string.printable, max_size=80),
)
def test_only_registered_or_loopback_port_variants_match(prefix, rest):
    uri = prefix + rest
    if redirects.matches(uri, REGISTERED):
        assert uri in REGISTERED or uri.startswith("http://127.0.0.1:")
        if uri.startswith("http://127.0.0.1:"):
            port, _, path = uri[len("http://127.0.0.1:") :].partition("/")
            assert port.isdigit() and "/" + path == "/cb"


@fast
@given(
    st.sampled_from(["@", "%40", "#", "?", ";", "/..", "%2F", "\\", "%00", ":443"]),
    st.integers(min_value=0, max_value=len("https://client.example/cb")),
)
def test_inserting_a_bypass_character_never_matches(piece, position):
    base = REGISTERED[0]
    tampered = base[:position] + piece + base[position:]

    assert not redirects.matches(tampered, REGISTERED)


@fast
@given(st.integers(min_value=2001, max_value=20000))
def test_huge_redirects_are_refused_quickly(length):
    uri = "https://client.example/" + "a" * length

    with pytest.raises(redirects.InvalidRedirectURI):
        redirects.validate(uri)
    assert not redirects.matches(uri, [uri])


@fast
@given(st.text(max_size=200))
def test_scope_parsing_returns_known_ids_or_names_the_unknown(value):
    try:
        parsed = scopes.parse(value)
    except scopes.InvalidScope as error:
        assert error.unknown
        assert all(item not in scopes.ALL_IDS for item in error.unknown)
        return
    assert all(item in scopes.ALL_IDS for item in parsed)
    assert len(parsed) == len(set(parsed))


@fast
@given(st.lists(st.sampled_from(sorted(scopes.ALL_IDS)), max_size=10))
def test_expanding_known_scopes_gives_leaves_only(ids):
    leaves = scopes.expand(ids)

    assert leaves <= set(scopes.LEAVES)
    assert scopes.leaves_of(scopes.to_string(leaves)) == leaves


@fast
@given(st.text(max_size=12000))
def test_authorization_header_parsing_never_raises_anything_else(header):
    try:
        token = parse_authorization(header)
    except BearerError:
        return
    if token is not None:
        assert 0 < len(token) <= 256
        assert " " not in token


@pytest.mark.parametrize(
    "header",
    [
        "Bearer",
        "Bearer ",
        "Bearer a b",
        "Bearer " + "a" * 10_000,
        "Bearer tökén",
        "Bearer a,b",
    ],
)
def test_malformed_bearer_headers_are_refused(header):
    with pytest.raises(BearerError):
        parse_authorization(header)


@pytest.mark.parametrize("header", ["", "Basic dXNlcjpwYXNz", "Token abc", None])
def test_other_schemes_are_not_bearer_headers(header):
    assert parse_authorization(header) is None


def test_the_bearer_scheme_is_case_insensitive():
    assert parse_authorization("bEaReR pod_at_abc") == "pod_at_abc"


@fast
@given(st.text(max_size=200))
def test_code_verifier_rule_matches_rfc_7636(verifier):
    allowed = set(string.ascii_letters + string.digits + "-._~")
    expected = 43 <= len(verifier) <= 128 and set(verifier) <= allowed

    assert bool(CODE_VERIFIER.match(verifier)) == expected
