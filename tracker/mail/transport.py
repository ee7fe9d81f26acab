"""How messages leave: through an SMTP server (SMTP_HOST, with STARTTLS or SSL, and AUTH from the
environment), or — the embedded default, which needs nothing — as .eml files under OUTBOX_DIR that
the administrator reads in the portal (Accounts → Outbox)."""

import os
import smtplib
import ssl
import tempfile
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr
from pathlib import Path

from tracker.core.clock import now
from tracker.mail.models import OutgoingMessage


class TransportDown(Exception):
    """The server cannot be reached or answered "try later" (4xx): the batch stops and is retried."""


class Refused(Exception):
    """The server refused this message for good (5xx: an unknown mailbox): it is not retried."""


def build_email(message: OutgoingMessage, sender: str) -> EmailMessage:
    """The message as it goes out: a plain-text part and an HTML alternative."""
    email = EmailMessage()
    email["From"] = sender
    email["To"] = message.to_address
    email["Subject"] = message.subject
    email["Date"] = format_datetime(message.created_at if message.created_at.tzinfo else now())
    email["Message-ID"] = message.message_id
    # RFC 3834: an automatic message; out-of-office replies are not sent back to it
    email["Auto-Submitted"] = "auto-generated"
    email["X-Auto-Response-Suppress"] = "All"
    email.set_content(message.text_body)
    email.add_alternative(message.html_body, subtype="html")
    email["Content-Language"] = message.language  # after the parts: set_content drops Content-* headers
    return email


class SmtpTransport:
    """One connection for a run of messages (opened on the first, closed at the end)."""

    name = "smtp"

    def __init__(self, host: str, port: int, security: str = "starttls", username: str = "", password: str = "",
                 timeout: float = 30):
        if security not in ("starttls", "ssl", "none"):
            raise ValueError(f"SMTP_SECURITY must be starttls, ssl or none, not {security!r}")
        self.host, self.port, self.security = host, port, security
        self.username, self.password, self.timeout = username, password, timeout
        self._smtp: smtplib.SMTP | None = None

    def _connect(self) -> smtplib.SMTP:
        context = ssl.create_default_context()
        try:
            if self.security == "ssl":
                smtp = smtplib.SMTP_SSL(self.host, self.port, timeout=self.timeout, context=context)
            else:
                smtp = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
                if self.security == "starttls":
                    smtp.starttls(context=context)
            if self.username:
                smtp.login(self.username, self.password)
        except smtplib.SMTPAuthenticationError as exc:
            raise TransportDown(f"SMTP {self.host}:{self.port} refused the account: {exc.smtp_code}") from exc
        except (OSError, smtplib.SMTPException) as exc:
            raise TransportDown(f"SMTP {self.host}:{self.port}: {exc or type(exc).__name__}") from exc
        return smtp

    def send(self, message: OutgoingMessage, email: EmailMessage) -> str | None:
        if self._smtp is None:
            self._smtp = self._connect()
        try:
            refused = self._smtp.send_message(email)
        except smtplib.SMTPRecipientsRefused as exc:
            codes = [code for code, _text in exc.recipients.values()]
            if all(code >= 500 for code in codes):
                raise Refused(f"the server refused {message.to_address}: {codes}") from exc
            self.close()
            raise TransportDown(f"the server deferred {message.to_address}: {codes}") from exc
        except smtplib.SMTPResponseException as exc:
            self.close()
            if exc.smtp_code >= 500 and not isinstance(exc, smtplib.SMTPServerDisconnected):
                raise Refused(f"the server refused the message: {exc.smtp_code} {exc.smtp_error!r}") from exc
            raise TransportDown(f"SMTP {self.host}:{self.port}: {exc.smtp_code}") from exc
        except (OSError, smtplib.SMTPException) as exc:
            self.close()
            raise TransportDown(f"SMTP {self.host}:{self.port}: {exc or type(exc).__name__}") from exc
        if refused:
            raise Refused(f"the server refused {', '.join(refused)}")
        return None

    def close(self) -> None:
        smtp, self._smtp = self._smtp, None
        if smtp is not None:
            try:
                smtp.quit()
            except (TimeoutError, OSError, smtplib.SMTPException):
                smtp.close()


class OutboxTransport:
    """Each message a file `<day>/<id>-<mailbox>.eml`: written whole under another name, then
    renamed, so a reader never sees half a message and a second write of the same message
    replaces the first instead of adding a copy."""

    name = "outbox"

    def __init__(self, folder: str | Path):
        self.folder = Path(folder)

    def send(self, message: OutgoingMessage, email: EmailMessage) -> str:
        mailbox = "".join(c if c.isalnum() or c in "._-" else "_" for c in parseaddr(message.to_address)[1])[:80]
        relative = Path(message.day.isoformat()) / f"{message.id}-{mailbox}.eml"
        target = self.folder / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".", suffix=".part")
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(email.as_bytes())
            os.replace(temporary, target)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        return relative.as_posix()

    def close(self) -> None:
        pass


def transport_from(config) -> SmtpTransport | OutboxTransport:
    if config.get("SMTP_HOST"):
        return SmtpTransport(config["SMTP_HOST"], int(config["SMTP_PORT"]), config["SMTP_SECURITY"],
                             config.get("SMTP_USERNAME", ""), config.get("SMTP_PASSWORD", ""),
                             float(config.get("SMTP_TIMEOUT", 30)))
    return OutboxTransport(config["OUTBOX_DIR"])
