"""Who the client is behind a proxy: forwarded hops read as addresses, IPv6 counted per /64."""

from __future__ import annotations

import ipaddress

import pytest
from django.test import Client, RequestFactory
from pytest_django.fixtures import Settings

from surveys.models import Survey
from surveys.privacy import client_address_hash, client_ip

PROXY = "127.0.0.1"


def _request(peer: str, forwarded: str = "") -> object:
    meta = {"REMOTE_ADDR": peer}
    if forwarded:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **meta)


@pytest.fixture
def behind_loopback_proxy(settings: Settings) -> None:
    settings.TRUSTED_PROXY_NETWORKS = [ipaddress.ip_network(PROXY)]


@pytest.mark.parametrize(
    ("forwarded", "client"),
    [
        ("203.0.113.7:4242", "203.0.113.7"),
        ("[2001:db8::7]:4242", "2001:db8::7"),
        ("::ffff:203.0.113.7", "203.0.113.7"),
        ("203.0.113.7, 127.0.0.1:8080", "203.0.113.7"),
    ],
)
def test_a_forwarded_hop_with_a_port_or_in_ipv6_form_is_the_bare_address(
    behind_loopback_proxy: None, forwarded: str, client: str
) -> None:
    assert client_ip(_request(PROXY, forwarded)) == client


def test_a_proxy_that_appends_ports_does_not_give_every_connection_a_new_budget(
    behind_loopback_proxy: None, sco_survey: Survey, settings: Settings
) -> None:
    settings.START_RATE_LIMIT = 2
    replies = [
        Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=f"203.0.113.7:{port}")
        .post("/en/s/sco-2025/", {"consent": "on"})
        .status_code
        for port in (40001, 40002, 40003)
    ]
    assert replies == [302, 302, 429]


def test_garbage_in_the_forwarded_header_is_not_a_fresh_client(
    behind_loopback_proxy: None,
) -> None:
    hashes = {
        client_address_hash(_request(PROXY, garbage))
        for garbage in ("not-an-ip", "unknown", "1.2.3.4.5", "<script>")
    }
    assert hashes == {client_address_hash(_request(PROXY))}


def test_a_trusted_proxy_written_as_ipv4_mapped_ipv6_is_still_trusted(
    behind_loopback_proxy: None,
) -> None:
    assert client_ip(_request("::ffff:127.0.0.1", "203.0.113.7")) == "203.0.113.7"
    assert client_ip(_request("::ffff:127.0.0.1", "198.51.100.1, ::ffff:127.0.0.1")) == (
        "198.51.100.1"
    )


def test_ipv6_clients_of_one_slash_64_share_one_count_and_another_64_does_not(
    sco_survey: Survey, settings: Settings
) -> None:
    settings.START_RATE_LIMIT = 3
    replies = [
        Client(REMOTE_ADDR=f"2001:db8:1:2::{host:x}").post("/en/s/sco-2025/", {"consent": "on"})
        for host in range(1, 5)
    ]
    assert [reply.status_code for reply in replies] == [302, 302, 302, 429]
    other = Client(REMOTE_ADDR="2001:db8:1:3::1").post("/en/s/sco-2025/", {"consent": "on"})
    assert other.status_code == 302
