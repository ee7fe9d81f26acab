"""A real SMTP server on loopback (aiosmtpd) that keeps what it receives, parsed."""

import email
import socket
import threading
from contextlib import contextmanager
from email import policy

from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Mailbox:
    """The aiosmtpd handler: every accepted message, parsed with email.policy.default."""

    def __init__(self):
        self.messages: list[email.message.EmailMessage] = []
        self.raw: list[bytes] = []
        self.lock = threading.Lock()
        #: addresses answered 550 at RCPT
        self.refuse: set[str] = set()
        #: called with the envelope before a message is kept; False answers 451 and keeps nothing
        self.before_keep = None

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return "550 5.1.1 no such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.before_keep is not None and not self.before_keep(envelope):
            return "451 4.3.0 try again later"
        with self.lock:
            self.raw.append(envelope.content)
            self.messages.append(email.message_from_bytes(envelope.content, policy=policy.default))
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list:
        with self.lock:
            return [m for m in self.messages if m["To"] == address]

    def take(self) -> list:
        with self.lock:
            taken, self.messages = self.messages, []
            return taken


class Server:
    def __init__(self, port: int | None = None):
        self.port = port or free_port()
        self.mailbox = Mailbox()
        self.controller = None

    def start(self) -> "Server":
        self.controller = Controller(self.mailbox, hostname="127.0.0.1", port=self.port)
        self.controller.start()
        return self

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    def settings(self) -> dict:
        return {"SMTP_HOST": "127.0.0.1", "SMTP_PORT": self.port, "SMTP_SECURITY": "none", "SMTP_TIMEOUT": 5}


@contextmanager
def smtp_server(port: int | None = None):
    server = Server(port).start()
    try:
        yield server
    finally:
        server.stop()


def text_of(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def html_of(message) -> str:
    return message.get_body(preferencelist=("html",)).get_content()
