"""Sending one notification email over SMTP, and saying how it went without repeating what the server said.

SMTP answers quote the addresses they refuse, so a result carries only the reply code ("SMTP 550") or the
exception's class name, never an exception's message.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime

import aiosmtplib
from pydantic import SecretStr

from notifications.domain.delivery import AttemptResult
from notifications.settings import NotificationsSettings

# What a successful SMTP conversation ends with ("250 OK" to the message data); a 2xx, so it counts as delivered.
SMTP_OK = 250
MESSAGE_ID_DOMAIN = "sinergi"


def email_message(sender: str, to: str, subject: str, text: str, *, message_id: str) -> EmailMessage:
    """A UTF-8 plain-text email. Its Message-ID is the same on every attempt, so a receiver (or its mail
    client) can tell a resent email from a new one."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = format_datetime(datetime.now(UTC))
    message["Message-ID"] = f"<{message_id}@{MESSAGE_ID_DOMAIN}>"
    message.set_content(text, charset="utf-8")
    return message


def _smtp_failure(code: int) -> AttemptResult:
    # 5xx: the server will never take this message for this recipient; 4xx: try again later.
    return AttemptResult(error=f"SMTP {code}", permanent=500 <= code < 600)


class EmailSender:
    """One SMTP server that every notification email goes through.

    ``starttls`` upgrades the connection and refuses to go on without it (port 587); ``use_tls`` speaks TLS from
    the first byte (port 465). With neither, the conversation is in the clear: only for a relay on the same host
    or network (the local platform's mail server)."""

    def __init__(
        self,
        *,
        host: str,
        port: int,
        sender: str,
        username: str | None = None,
        password: SecretStr | None = None,
        starttls: bool = False,
        use_tls: bool = False,
        timeout_seconds: float = 10.0,
    ) -> None:
        if starttls and use_tls:
            raise ValueError("starttls and use_tls exclude each other")
        if (username is None) != (password is None):
            raise ValueError("username and password go together")
        self._host = host
        self._port = port
        self._sender = sender
        self._username = username
        self._password = password
        self._starttls = starttls
        self._use_tls = use_tls
        # aiosmtplib's timeout bounds each command; this bounds the whole conversation, so a server that
        # answers slowly but steadily cannot hold an attempt past its lease.
        self._timeout_seconds = timeout_seconds

    def __repr__(self) -> str:
        return f"EmailSender(host={self._host!r}, port={self._port})"

    async def send(self, to: str, subject: str, text: str, *, message_id: str) -> AttemptResult:
        try:
            message = email_message(self._sender, to, subject, text, message_id=message_id)
        except ValueError:
            # A line break in a header value, say: no attempt could ever send it.
            return AttemptResult(error="invalid message headers", permanent=True)
        try:
            async with asyncio.timeout(self._timeout_seconds):
                await aiosmtplib.send(
                    message,
                    recipients=[to],
                    hostname=self._host,
                    port=self._port,
                    username=self._username,
                    password=self._password.get_secret_value() if self._password is not None else None,
                    # False rather than aiosmtplib's None (upgrade when offered): the setting says exactly
                    # what happens, and a relay's self-signed certificate cannot fail an unasked-for upgrade.
                    start_tls=self._starttls,
                    use_tls=self._use_tls,
                    timeout=self._timeout_seconds,
                )
        except aiosmtplib.SMTPRecipientsRefused as error:
            # Every recipient refused (there is one): the first refusal's code says whether for good.
            return _smtp_failure(error.recipients[0].code if error.recipients else 550)
        except (aiosmtplib.SMTPRecipientRefused, aiosmtplib.SMTPDataError) as error:
            return _smtp_failure(error.code)
        except aiosmtplib.SMTPResponseException as error:
            # Refused login, sender or greeting: our configuration or the server, not this message. Retried,
            # so that the messages go once it is fixed (the circuit breaker spares the server meanwhile).
            return AttemptResult(error=f"SMTP {error.code}")
        except (aiosmtplib.SMTPException, TimeoutError, OSError) as error:
            # Connection refused or lost, timed out, TLS failed. The name is safe; the message may not be.
            return AttemptResult(error="timed out" if type(error) is TimeoutError else type(error).__name__)
        except ValueError:
            # aiosmtplib refuses an address it cannot put on the command line; it would every time.
            return AttemptResult(error="invalid address", permanent=True)
        return AttemptResult(status_code=SMTP_OK)


def email_sender_from_settings(settings: NotificationsSettings) -> EmailSender | None:
    """The email channel, or None where no SMTP server is configured (the channel is then unavailable)."""
    if not settings.smtp_host:
        return None
    return EmailSender(
        host=settings.smtp_host,
        port=settings.smtp_port,
        sender=settings.smtp_sender,
        username=settings.smtp_username,
        password=settings.smtp_password,
        starttls=settings.smtp_starttls,
        use_tls=settings.smtp_use_tls,
        timeout_seconds=settings.smtp_timeout_seconds,
    )
