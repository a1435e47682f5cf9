"""Issue 15, server-side request forgery through notifications: no loopback, link-local or private targets, when a
subscription is saved and again before every send, unless the administrator sets ANDIAN_NOTIFY_ALLOW_PRIVATE=1.

The rest of the suite runs with private targets allowed (its receivers listen on 127.0.0.1); here they are not.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

import msgspec
import pytest
from litestar.testing import TestClient

from server.notify.addresses import is_local_name, refusal
from server.settings import Settings

from .conftest import Clock, World
from .notify_rig import Rig, make_rig
from .receivers import WebhookReceiver

SUBS = "/api/v1/me/subscriptions"
ADVICE = "andian refuses those unless the administrator sets ANDIAN_NOTIFY_ALLOW_PRIVATE=1"


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """As an installed server is by default: private targets refused."""
    return msgspec.structs.replace(settings, notify_allow_private=False)


REFUSED = [
    ("127.0.0.1", "loopback"), ("127.8.9.10", "loopback"), ("::1", "loopback"),
    ("0.0.0.0", "unspecified"), ("::", "unspecified"),
    ("169.254.169.254", "link-local"), ("fe80::1", "link-local"), ("fe80::1%eth0", "link-local"),
    ("10.0.0.5", "private network"), ("172.16.0.1", "private network"), ("192.168.1.2", "private network"),
    ("fd12:3456::1", "private network"), ("fec0::1", "private network"),
    ("100.64.0.1", "carrier-grade NAT"), ("100.127.255.254", "carrier-grade NAT"),
    ("224.0.0.1", "multicast"), ("239.255.255.250", "multicast"), ("ff02::1", "multicast"), ("ff0e::1", "multicast"),
    ("240.0.0.1", "reserved"), ("::7f00:1", "reserved"),
    # IPv6 that carries an IPv4 address is judged by it: mapped, 6to4 and NAT64.
    ("::ffff:127.0.0.1", "loopback"), ("::ffff:10.0.0.1", "private network"), ("::ffff:169.254.169.254", "link-local"),
    ("2002:7f00:1::1", "loopback"), ("64:ff9b::a00:5", "private network"),
    # Documentation and benchmarking ranges are not on the internet either.
    ("192.0.2.1", "private network"), ("198.18.0.1", "private network"), ("2001:db8::1", "private network"),
]
PUBLIC = ["8.8.8.8", "1.1.1.1", "114.114.114.114", "223.5.5.5", "2001:4860::8888", "2001:4860:4860::8888",
          "2400:3200::1", "::ffff:8.8.8.8", "2002:808:808::1", "64:ff9b::808:808"]


@pytest.mark.parametrize(("address", "kind"), REFUSED)
def test_private_addresses_are_refused_and_say_why(address: str, kind: str) -> None:
    assert refusal(address) == kind


@pytest.mark.parametrize("address", PUBLIC)
def test_public_addresses_are_allowed(address: str) -> None:
    assert refusal(address) is None


def test_localhost_names_are_the_machine_itself() -> None:
    assert [is_local_name(n) for n in ("localhost", "LOCALHOST.", "api.localhost", "localhost.example.cn",
                                       "mylocalhost", "example.cn")] == [True, True, True, False, False, False]


def refused(client: TestClient[Any], headers: dict[str, str], url: str) -> str:
    r = client.post(SUBS, json={"url": url}, headers=headers)
    assert r.status_code == 400, (url, r.text)
    assert r.json()["extra"] == {"field": "url"}, r.text
    detail: str = r.json()["detail"]
    return detail


def test_private_targets_are_refused_when_subscribing(client: TestClient[Any], world: World,
                                                      hooks: WebhookReceiver) -> None:
    owner = world.headers("owner_1")
    port = hooks.port
    for url, address in (
        (f"json://127.0.0.1:{port}/probe", "127.0.0.1"),
        (f"json://[::1]:{port}/probe", "::1"),
        (f"json://2130706433:{port}/probe", "127.0.0.1"),  # 127.0.0.1 as one number: resolved, then judged
        (f"jsons://0.0.0.0:{port}/probe", "0.0.0.0"),
        ("json://169.254.169.254/latest/meta-data", "169.254.169.254"),
        ("json://10.0.0.5/", "10.0.0.5"),
        ("xml://100.64.0.1:8080/", "100.64.0.1"),
        ("form://[fd00::5]/hook", "fd00::5"),
        ("mailto://user@192.168.1.2", "192.168.1.2"),
        ("mailto://user:pw@example.cn?smtp=10.1.1.1&to=a@example.cn", "10.1.1.1"),  # the SMTP host is what counts
        ("gotify://172.16.3.4/token", "172.16.3.4"),
    ):
        detail = refused(client, owner, url)
        assert detail.startswith("url: ") and f"({address}, " in detail and ADVICE in detail, detail
    # A name that resolves to a private address: localhost (refused by name, whatever the resolver says).
    detail = refused(client, owner, f"json://localhost:{port}/probe")
    assert "localhost points to a private or loopback address" in detail and ADVICE in detail
    detail = refused(client, owner, f"mailto://127.0.0.1:{port}?from=a@example.cn&to=b@example.cn")
    assert "127.0.0.1, loopback" in detail
    # A name that does not resolve cannot be checked: refused, naming the field.
    assert "does not resolve" in refused(client, owner, "json://no-such-host.invalid/hook")

    assert client.get(SUBS, headers=owner).json() == []
    assert hooks.arrived == 0


def test_public_and_fixed_host_services_are_still_accepted(client: TestClient[Any], world: World) -> None:
    owner = world.headers("owner_1")
    # A public address needs no DNS; services with fixed public hosts have a key where a host would be
    # (a WeCom agent id of 1000002 must not be read as the address 0.15.66.66).
    for url in ("json://8.8.8.8/hook", "json://[2001:4860::8888]/hook", "wecombot://abcdef0123456789",
                "wechat://corp:secret@1000002/@all", "wxpusher://AT_QwErTy123456789/UID_abc", "schan://SENDKEY"):
        r = client.post(SUBS, json={"url": url}, headers=owner)
        assert r.status_code == 201, (url, r.text)


def test_send_test_is_refused_at_send_time(client: TestClient[Any], world: World, hooks: WebhookReceiver) -> None:
    """A subscription saved while private targets were allowed (or a name whose DNS has changed since) is checked
    again when it is sent: no connection, and the result says why."""
    owner = world.headers("owner_1")
    settings = client.app.state["andian"].settings
    settings.notify_allow_private = True
    r = client.post(SUBS, json={"url": hooks.url("probe")}, headers=owner)
    assert r.status_code == 201, r.text
    settings.notify_allow_private = False

    r = client.post(f"{SUBS}/{r.json()['id']}/test", headers=owner)
    assert r.status_code == 200, r.text
    [result] = r.json()["results"]
    assert r.json()["ok"] is False and result["ok"] is False and result["status"] == "FAILURE"
    assert result["error"].startswith("refused: 127.0.0.1 points to a private or loopback address")
    assert ADVICE in result["error"]
    assert hooks.arrived == 0


@pytest.fixture
def allowed_rig(settings: Settings, clock: Clock, hooks: WebhookReceiver) -> Iterator[Rig]:
    yield from make_rig(settings, clock, hooks, notify_allow_private=True)


def test_the_sender_checks_again_before_every_send(allowed_rig: Rig, caplog: pytest.LogCaptureFixture) -> None:
    rig = allowed_rig
    rig.subscribe("owner_1", "owner")
    settings = rig.client.app.state["andian"].settings
    settings.notify_allow_private = False
    alarm = rig.alarm(rig.device())
    with caplog.at_level(logging.WARNING, logger="andian.notify"):
        rig.step()
    assert rig.hooks.arrived == 0
    [delivery] = rig.client.get(f"/api/v1/alarms/{alarm['id']}/deliveries", headers=rig.world.headers("owner_1")).json()
    assert delivery["state"] == "retrying"
    [attempt] = delivery["attempts"]
    assert attempt["ok"] is False and attempt["error"].startswith("refused: 127.0.0.1 points to a private")
    assert any("127.0.0.1 points to a private or loopback address" in r.getMessage() for r in caplog.records)

    # Refused is not dropped: allowed again (or DNS back to a public address), the retry goes out.
    settings.notify_allow_private = True
    rig.clock.advance(60.0)
    rig.step()
    assert len(rig.got("owner")) == 1
