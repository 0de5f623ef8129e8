"""E-mail over SMTP: the message of one notification, of one day's digest, and the sending.

Messages carry a plain-text and an HTML part (HTML-escaped). Nothing here logs a message body,
a recipient's address or the SMTP password: an invite e-mail carries a sign-up token.
"""

from __future__ import annotations

import html
import smtplib
import ssl
from collections.abc import Sequence
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import make_msgid

from draxis.settings import Settings


class MailDisabled(Exception):
    """SMTP is not configured (DRAXIS_SMTP_HOST unset): deliveries are recorded as skipped."""


@dataclass(frozen=True, slots=True)
class Item:
    """One notification as a mail shows it."""

    title: str
    body: str
    link: str | None  # an in-app path such as /tasks/<id>


def _absolute(settings: Settings, link: str | None) -> str | None:
    return settings.public_url.rstrip("/") + link if link else None


def compose(settings: Settings, to: str, subject: str, text: str, markup: str) -> EmailMessage:
    """A message with a plain-text part and an HTML part (`markup`, already escaped)."""
    message = EmailMessage()
    message["From"] = settings.smtp_from
    message["To"] = to
    message["Subject"] = subject.replace("\r", " ").replace("\n", " ")[:200]
    message["Message-ID"] = make_msgid(domain="draxis")
    message.set_content(text)
    message.add_alternative(f"<!doctype html><html><body>{markup}</body></html>", subtype="html")
    return message


def _item_text(settings: Settings, item: Item) -> str:
    url = _absolute(settings, item.link)
    return "\n".join(p for p in (item.title, item.body, f"Open: {url}" if url else "") if p)


def _item_html(settings: Settings, item: Item, heading: str) -> str:
    url = _absolute(settings, item.link)
    parts = [f"<{heading}>{html.escape(item.title)}</{heading}>"]
    if item.body:
        parts.append(f"<p>{html.escape(item.body)}</p>")
    if url:
        parts.append(f'<p><a href="{html.escape(url, quote=True)}">Open in Draxis</a></p>')
    return "".join(parts)


def notification_message(settings: Settings, to: str, item: Item) -> EmailMessage:
    footer = "You can choose which e-mails you get on your account page in Draxis."
    return compose(
        settings,
        to,
        item.title,
        f"{_item_text(settings, item)}\n\n--\n{footer}\n",
        f"{_item_html(settings, item, 'h2')}<hr><p>{footer}</p>",
    )


def digest_message(settings: Settings, to: str, items: Sequence[Item]) -> EmailMessage:
    count = f"{len(items)} notification{'s' if len(items) != 1 else ''}"
    text = "\n\n".join(_item_text(settings, i) for i in items)
    markup = "".join(_item_html(settings, i, "h3") for i in items)
    return compose(
        settings,
        to,
        f"Your Draxis digest: {count}",
        f"Your Draxis digest: {count}\n\n{text}\n",
        f"<h2>Your Draxis digest: {html.escape(count)}</h2>{markup}",
    )


def send(settings: Settings, message: EmailMessage) -> None:
    """Send `message` through the configured SMTP server. Raises `MailDisabled` without a host,
    `smtplib.SMTPException` or `OSError` when the server refuses or cannot be reached."""
    if not settings.smtp_host:
        raise MailDisabled("SMTP is not configured (DRAXIS_SMTP_HOST is unset)")
    with smtplib.SMTP(
        settings.smtp_host, settings.smtp_port, timeout=settings.smtp_timeout_seconds
    ) as smtp:
        if settings.smtp_starttls:
            smtp.starttls(context=ssl.create_default_context())
        if settings.smtp_username and settings.smtp_password:
            smtp.login(settings.smtp_username, settings.smtp_password.get_secret_value())
        smtp.send_message(message)
