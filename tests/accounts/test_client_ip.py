"""The client's address: X-Forwarded-For believed only as far as our own proxies go."""

from __future__ import annotations

import pytest
from allauth.account.adapter import get_adapter

from accounts.client_ip import client_ip, client_network

PROXY = "10.0.0.2"


@pytest.fixture
def request_from(rf):
    def build(remote: str = PROXY, forwarded: str | None = None, **headers):
        if forwarded is not None:
            headers["X-Forwarded-For"] = forwarded
        return rf.get("/", REMOTE_ADDR=remote, headers=headers)

    return build


def test_without_trusted_proxy_the_header_is_ignored(request_from, settings):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 0
    assert client_ip(request_from("198.51.100.7", "203.0.113.1")) == "198.51.100.7"


@pytest.mark.parametrize(
    ("proxies", "forwarded", "expected"),
    [
        (1, "198.51.100.7", "198.51.100.7"),
        # the client forged the left-most entry; our proxy appended the real one
        (1, "203.0.113.66, 198.51.100.7", "198.51.100.7"),
        (1, "1.1.1.1,2.2.2.2 , 198.51.100.7", "198.51.100.7"),
        # a CDN then our proxy: the CDN appended the client, our proxy appended the CDN
        (2, "203.0.113.66, 198.51.100.7, 192.0.2.50", "198.51.100.7"),
        # a request that skipped the outer proxy: the only entry is the one ours appended
        (2, "198.51.100.7", "198.51.100.7"),
        (1, "198.51.100.7:51234", "198.51.100.7"),
        (1, "[2001:db8::7]:443", "2001:db8::7"),
    ],
)
def test_trusted_proxies_are_counted_from_the_right(
    request_from, settings, proxies, forwarded, expected
):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = proxies
    assert client_ip(request_from(PROXY, forwarded)) == expected


@pytest.mark.parametrize("forwarded", ["", "not-an-address", "1.1.1.1, <script>", " , "])
def test_an_unusable_header_falls_back_to_the_peer(request_from, settings, forwarded):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    assert client_ip(request_from(PROXY, forwarded)) == PROXY


def test_a_proxy_s_own_header_can_be_trusted_instead(request_from, settings):
    settings.ALLAUTH_TRUSTED_CLIENT_IP_HEADER = "X-Real-IP"
    request = request_from(PROXY, "203.0.113.66", **{"X-Real-IP": "198.51.100.7"})
    assert client_ip(request) == "198.51.100.7"


def test_an_ipv6_client_is_counted_by_its_64(request_from, settings):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 0
    assert client_network(request_from("2001:db8:1:2:aaaa::1")) == "2001:db8:1:2::"
    assert client_network(request_from("198.51.100.7")) == "198.51.100.7"


def test_allauth_reads_the_same_address(request_from, settings):
    # allauth's own rate limits (password reset) count the same address as the login throttle
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    request = request_from(PROXY, "203.0.113.66, 198.51.100.7")
    assert get_adapter(request).get_client_ip(request) == "198.51.100.7"
