"""The email channel against real SMTP servers: the local platform's mail server (``sinergi_local.mail_server``,
a separate process writing a Maildir) and an in-process aiosmtpd server that refuses some recipients."""

from __future__ import annotations

import email.policy
import mailbox
import socket
import time
from collections.abc import Iterator
from typing import Any
from uuid import uuid4

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session
from pydantic import SecretStr

from notifications.adapters.email_sender import EmailSender, email_message, email_sender_from_settings
from notifications.domain.delivery import AttemptResult
from notifications.settings import NotificationsSettings
from services.notifications.tests.integration.support import MailServer
from sinergi_local import processes

pytestmark = pytest.mark.integration

SUBJECT = "Rujukan kasus baru – Kab. Kotawaringin Timur"  # noqa: RUF001 - non-ASCII on purpose
TEXT = "Kasus baru dirujuk ke lembaga Anda: kekerasan fisik, prioritas tinggi.\nMohon segera ditindaklanjuti. — Sinergi"
RECIPIENT = "uptd.ppa.kotim@contoh.go.id"


class RefusingHandler:
    """Refuses a recipient for good (550) or for now (451), by the mailbox name; takes the rest."""

    async def handle_RCPT(  # noqa: N802 - aiosmtpd's hook name
        self, server: SMTP, session: Session, envelope: Envelope, address: str, rcpt_options: list[str]
    ) -> str:
        if address.startswith("unknown"):
            return "550 5.1.1 no such user " + address  # servers quote the address: it must not reach the reason
        if address.startswith("busy"):
            return "451 4.3.0 mailbox busy, try later " + address
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:  # noqa: N802
        return "554 5.7.1 message refused as spam" if b"SPAM" in (envelope.content or b"") else "250 OK"


@pytest.fixture(scope="module")
def refusing_server() -> Iterator[int]:
    port = processes.free_port()
    controller = Controller(RefusingHandler(), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield port
    finally:
        controller.stop()


def sender_to(port: int, **overrides: Any) -> EmailSender:
    settings: dict[str, Any] = {"host": "127.0.0.1", "port": port, "sender": "Sinergi <noreply@sinergi.local>",
                                "timeout_seconds": 5.0}
    return EmailSender(**{**settings, **overrides})


def assert_safe(result: AttemptResult, *secrets: str) -> None:
    assert result.reason is not None
    assert len(result.reason) <= 40, result.reason
    for secret in secrets:
        assert secret.lower() not in result.reason.lower()


async def test_an_email_arrives_whole_in_the_maildir(mail_server: MailServer) -> None:
    message_id = str(uuid4())

    result = await sender_to(mail_server.port).send(RECIPIENT, SUBJECT, TEXT, message_id=message_id)

    assert result == AttemptResult(status_code=250)
    assert result.succeeded
    [stored] = await mail_server.wait_for(message_id)
    assert stored["Subject"] == SUBJECT
    assert stored["To"] == RECIPIENT
    assert stored["From"] == "Sinergi <noreply@sinergi.local>"
    assert stored["Date"] is not None
    assert stored["X-RcptTo"] == RECIPIENT  # the envelope, as the server took it
    body = stored.get_body(("plain",))
    assert body is not None
    assert body.get_content_charset() == "utf-8"
    assert body.get_content().rstrip("\n") == TEXT


async def test_a_resent_email_has_the_same_message_id(mail_server: MailServer) -> None:
    message_id = str(uuid4())
    sender = sender_to(mail_server.port)

    for _ in range(2):
        assert (await sender.send(RECIPIENT, SUBJECT, TEXT, message_id=message_id)).succeeded

    assert len(await mail_server.wait_for(message_id, count=2)) == 2


def test_the_message_is_utf8_with_a_stable_message_id() -> None:
    message = email_message("Sinergi <noreply@sinergi.local>", RECIPIENT, SUBJECT, TEXT, message_id="abc")
    assert message["Message-ID"] == "<abc@sinergi>"
    assert message.get_content_charset() == "utf-8"
    # On the wire the non-ASCII subject is encoded (RFC 2047), and reads back the same.
    wire = message.as_bytes()
    assert SUBJECT.encode() not in wire
    assert email.message_from_bytes(wire, policy=email.policy.default)["Subject"] == SUBJECT


async def test_a_server_that_is_not_listening_is_retried(mail_server: MailServer) -> None:
    result = await sender_to(processes.free_port()).send(RECIPIENT, SUBJECT, TEXT, message_id=str(uuid4()))

    assert not result.succeeded
    assert not result.permanent
    assert result.status_code is None
    assert_safe(result, RECIPIENT, "127.0.0.1")


async def test_a_server_that_never_answers_times_out_and_is_retried() -> None:
    # A listening socket that nobody accepts from: the connection opens, the greeting never comes.
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        sender = sender_to(silent.getsockname()[1], timeout_seconds=0.5)
        started = time.monotonic()
        result = await sender.send(RECIPIENT, SUBJECT, TEXT, message_id=str(uuid4()))

    assert time.monotonic() - started < 3
    assert not result.succeeded
    assert not result.permanent
    assert_safe(result, RECIPIENT)


async def test_a_recipient_refused_for_good_is_permanent(refusing_server: int) -> None:
    address = "unknown.user@contoh.go.id"
    result = await sender_to(refusing_server).send(address, SUBJECT, TEXT, message_id=str(uuid4()))

    assert result.permanent
    assert not result.succeeded
    assert result.reason == "SMTP 550"
    assert_safe(result, address, "unknown")


async def test_a_recipient_refused_for_now_is_retried(refusing_server: int) -> None:
    address = "busy.user@contoh.go.id"
    result = await sender_to(refusing_server).send(address, SUBJECT, TEXT, message_id=str(uuid4()))

    assert not result.permanent
    assert result.reason == "SMTP 451"
    assert_safe(result, address)


async def test_a_message_the_server_refuses_is_permanent(refusing_server: int) -> None:
    result = await sender_to(refusing_server).send(RECIPIENT, "SPAM", "SPAM", message_id=str(uuid4()))

    assert result.permanent
    assert result.reason == "SMTP 554"
    assert_safe(result, RECIPIENT)


async def test_the_refusing_server_takes_other_recipients(refusing_server: int) -> None:
    result = await sender_to(refusing_server).send(RECIPIENT, SUBJECT, TEXT, message_id=str(uuid4()))
    assert result.succeeded


async def test_a_header_with_a_line_break_is_refused_before_sending(mail_server: MailServer) -> None:
    result = await sender_to(mail_server.port).send(RECIPIENT, "Subjek\r\nBcc: x@contoh.id", TEXT,
                                                    message_id=str(uuid4()))
    assert result.permanent
    assert_safe(result, RECIPIENT)


async def test_a_login_the_server_cannot_offer_is_retried_not_leaked(mail_server: MailServer) -> None:
    # The local server offers no AUTH: a configuration problem, retried so that messages go once it is fixed.
    sender = sender_to(mail_server.port, username="sinergi", password=SecretStr("rahasia-sekali"))
    result = await sender.send(RECIPIENT, SUBJECT, TEXT, message_id=str(uuid4()))

    assert not result.succeeded
    assert not result.permanent
    assert_safe(result, RECIPIENT, "rahasia-sekali")


def test_the_sender_refuses_contradictory_tls_settings() -> None:
    with pytest.raises(ValueError, match="exclude"):
        sender_to(25, starttls=True, use_tls=True)


def notifications_settings(**overrides: Any) -> NotificationsSettings:
    return NotificationsSettings(
        database_url=SecretStr("postgresql+asyncpg://u:p@127.0.0.1:5432/sinergi"), environment="development",
        **overrides,
    )


def test_email_is_unavailable_without_an_smtp_host() -> None:
    assert email_sender_from_settings(notifications_settings()) is None


def test_the_sender_is_built_from_the_settings(mail_server: MailServer) -> None:
    settings = notifications_settings(smtp_host="127.0.0.1", smtp_port=mail_server.port, smtp_timeout_seconds=3)
    sender = email_sender_from_settings(settings)
    assert isinstance(sender, EmailSender)
    assert "127.0.0.1" in repr(sender)


def test_the_settings_refuse_half_configured_email() -> None:
    with pytest.raises(ValueError, match="smtp_starttls or smtp_use_tls"):
        notifications_settings(smtp_host="smtp.contoh.id", smtp_starttls=True, smtp_use_tls=True)
    with pytest.raises(ValueError, match="together"):
        notifications_settings(smtp_host="smtp.contoh.id", smtp_username="sinergi")


def test_the_mail_server_stores_a_readable_maildir(mail_server: MailServer) -> None:
    # Any mail client (or mailbox.Maildir) reads what the local platform's server stored.
    assert len(mailbox.Maildir(mail_server.maildir, create=False)) >= 1
