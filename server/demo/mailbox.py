"""The demo's mailbox: a local SMTP server (aiosmtpd) that prints what the demo users' phones and inboxes
would receive, so `make demo` shows notifications with no mail account and no internet."""

from __future__ import annotations

import email
import email.policy
import logging
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller

__all__ = ["Mailbox", "mailbox_url"]

log = logging.getLogger("andian.mailbox")
# aiosmtpd logs every connection and SMTP command on "mail.log" (INFO and DEBUG); the demo's console shows the
# messages themselves instead, so only its warnings and errors are kept.
_SMTP_LOGGER = "mail.log"


def mailbox_url(port: int, username: str) -> str:
    """The apprise URL that delivers a demo user's mail to the mailbox."""
    return f"mailto://127.0.0.1:{port}?from=alarm@andian.demo&to={username}@andian.demo"


class Mailbox:
    def __init__(self, port: int) -> None:
        self.port = port
        self._controller = Controller(self, hostname="127.0.0.1", port=port)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # aiosmtpd's handler hook
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        body = ""
        if isinstance(message, EmailMessage):
            part = message.get_body(preferencelist=("plain",))
            body = part.get_content() if part is not None else ""
        to = ", ".join(envelope.rcpt_tos)
        print(f"\n📨 {to}  {message['subject']}\n   " + "\n   ".join(body.strip().splitlines()), flush=True)
        return "250 OK"

    def start(self) -> bool:
        logging.getLogger(_SMTP_LOGGER).setLevel(logging.WARNING)
        try:
            self._controller.start()
        except (OSError, RuntimeError) as exc:
            log.warning("demo mailbox could not listen on 127.0.0.1:%d (%s); notifications are logged only",
                        self.port, exc)
            return False
        return True

    def stop(self) -> None:
        self._controller.stop()
