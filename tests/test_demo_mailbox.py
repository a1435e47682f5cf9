"""Issue 18: the demo's console shows the messages its mailbox receives, without aiosmtpd's connection and
command log (server/demo/mailbox.py); a real SMTP session through apprise, as the demo's sender makes it."""

from __future__ import annotations

import logging

import apprise
import pytest

from server.demo.mailbox import Mailbox, mailbox_url

from .receivers import free_port


def test_the_demo_mailbox_prints_the_message_without_smtp_debug_noise(caplog: pytest.LogCaptureFixture,
                                                                       capsys: pytest.CaptureFixture[str]) -> None:
    caplog.set_level(logging.DEBUG)  # the most a console could show
    mailbox = Mailbox(free_port())
    assert mailbox.start()
    try:
        sender = apprise.Apprise()
        assert sender.add(mailbox_url(mailbox.port, "owner_1"))
        assert sender.notify(title="【报警】site_market 漏电流 380 mA", body="漏电流 380 mA，超过报警值 300 mA。")
    finally:
        mailbox.stop()
    assert "【报警】site_market 漏电流 380 mA" in capsys.readouterr().out
    smtp = [r for r in caplog.records if r.name.startswith("mail.log")]
    assert [r for r in smtp if r.levelno < logging.WARNING] == []
