"""A local SMTP server for `make up` and the tests: takes every email and stores it in a Maildir, so email
notifications can be read where no real mail server is.

    python -m sinergi_local.mail_server --port 8025 --maildir .run/platform/mail

Runs until SIGTERM or SIGINT. Every message lands in ``<maildir>/new`` as one file (read it with any mail
client, or ``mailbox.Maildir``). It accepts any sender and recipient, with no login and no TLS: it listens on
127.0.0.1 only, and is for development only.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal
from pathlib import Path

from aiosmtpd.handlers import Mailbox
from aiosmtpd.smtp import SMTP

HOST = "127.0.0.1"
SERVER_NAME = "sinergi-local-mail"

log = logging.getLogger("sinergi_local.mail_server")


async def serve(port: int, maildir: Path, *, host: str = HOST) -> None:
    """Serve SMTP on ``host:port`` into ``maildir`` until told to stop."""
    maildir.parent.mkdir(parents=True, exist_ok=True)
    handler = Mailbox(maildir)  # creates the Maildir (new/, cur/, tmp/) if missing
    loop = asyncio.get_running_loop()
    stopped = asyncio.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stopped.set)
    server = await loop.create_server(
        # SMTPUTF8 so that an address with non-ASCII characters is taken as a real server would.
        lambda: SMTP(handler, hostname=SERVER_NAME, enable_SMTPUTF8=True),
        host=host,
        port=port,
    )
    log.info("mail server on %s:%s, storing into %s", host, port, maildir)
    async with server:
        await stopped.wait()
    log.info("mail server stopped")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--port", type=int, default=8025)
    parser.add_argument("--maildir", type=Path, required=True, help="where messages are stored (a Maildir)")
    parser.add_argument("--host", default=HOST)
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    # aiosmtpd logs every command at INFO, addresses included: keep them out of the log.
    logging.getLogger("mail.log").setLevel(logging.WARNING)
    asyncio.run(serve(args.port, args.maildir, host=args.host))


if __name__ == "__main__":
    main()
