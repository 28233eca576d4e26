"""Messages for email, SMS, WhatsApp and the webhook's ``summary``, rendered from a notification with Jinja2.

A template is looked up as ``{language}/{channel}/{event_type}.j2`` under the package's ``templates`` folder.
Each such file only extends ``{language}/_events/{event_type}.j2``, which holds the wording of the event
(blocks ``title``, ``happened``, ``action`` and the SMS's ``brief``); that in turn extends the channel's
layout ``{language}/{channel}/_base.j2``. So a wording is written once per language, a layout once per channel,
and any one channel's message for one event can still be changed on its own.

Templates see only the notification (which holds no personal data) and the labels of ``labels``; they must
print nothing else. Emails are plain text, hence no autoescaping.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timezone
from functools import cache
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, Template, pass_context
from jinja2.runtime import Context

from notifications.adapters import labels
from notifications.domain.notification import Notification
from notifications.domain.subscriptions import Channel, Language

_EMAIL_BLOCKS = ("subject", "body")
_BLANK_LINES = re.compile(r"\n{3,}")
_TRAILING_SPACE = re.compile(r"[ \t]+\n")


@dataclass(frozen=True)
class RenderedMessage:
    subject: str | None  # email only; None for other channels
    text: str


def template_name(language: Language, channel: Channel, event_type: str) -> str:
    return f"{language.value}/{channel.value}/{event_type}.j2"


def render(notification: Notification, channel: Channel) -> RenderedMessage:
    """The message ``notification`` is sent as through ``channel``, in the subscription's language.

    Raises ``jinja2.TemplateNotFound`` for an event type without templates (subscriptions only accept the
    types that have them).
    """
    template = _environment().get_template(template_name(notification.language, channel, notification.event_type))
    variables = _variables(notification, channel)
    if channel is Channel.EMAIL:
        subject, body = _render_blocks(template, variables, _EMAIL_BLOCKS)
        return RenderedMessage(subject=_one_line(subject), text=_tidy(body))
    text = template.render(variables)
    # An SMS is one short line, and the webhook's summary goes in one JSON string.
    one_line = channel in (Channel.SMS, Channel.WEBHOOK)
    return RenderedMessage(subject=None, text=_one_line(text) if one_line else _tidy(text))


@cache
def _environment() -> Environment:
    environment = Environment(
        loader=PackageLoader("notifications", "templates"),
        undefined=StrictUndefined,
        autoescape=False,  # noqa: S701 - plain-text email, SMS and WhatsApp; nothing is rendered as HTML
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
    )
    environment.filters.update(
        label=_label, label_list=_label_list, datetime=_datetime, date=_date, one_line=_one_line,
    )
    return environment


def _variables(notification: Notification, channel: Channel) -> dict[str, Any]:
    return {
        "notification": notification,
        "event_type": notification.event_type,
        "scope": notification.scope.value,
        "language": notification.language,
        "channel": channel.value,
        "case": notification.case,
        "referral": notification.referral,
        "details": notification.details,
        "link": notification.link,
        "occurred_at": notification.occurred_at,
        # Times are shown in the zone of the case's province: the one the agency keeps its deadlines by.
        "local_timezone": labels.local_timezone(notification.case.get("province_code")),
    }


def _render_blocks(template: Template, variables: dict[str, Any], names: tuple[str, ...]) -> tuple[str, ...]:
    context = template.new_context(variables)
    # Running the template once lets each {% extends %} register its parent's blocks in the context, so that
    # blocks defined by the layout can then be rendered one by one.
    for _ in template.root_render_func(context):
        pass
    return tuple("".join(context.blocks[name][0](context)) for name in names)


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _tidy(text: str) -> str:
    """Without trailing spaces, or the runs of blank lines that sections left out leave behind."""
    return _BLANK_LINES.sub("\n\n", _TRAILING_SPACE.sub("\n", text)).strip()


def _language(context: Context) -> Language:
    value = context.get("language")
    return value if isinstance(value, Language) else Language.INDONESIAN


def _zone(context: Context) -> timezone:
    zone = context.get("local_timezone")
    return zone if isinstance(zone, timezone) else labels.local_timezone(None)


@pass_context
def _label(context: Context, value: object, kind: str) -> str:
    return labels.label(_language(context), kind, value)


@pass_context
def _label_list(context: Context, values: object, kind: str) -> str:
    items = values if isinstance(values, list | tuple) else [values]
    return labels.label_list(_language(context), kind, items)


@pass_context
def _datetime(context: Context, value: object, style: str = "long") -> str:
    return labels.format_datetime(_language(context), value, _zone(context), short=style == "short")


@pass_context
def _date(context: Context, value: object, precision: object = "day") -> str:
    return labels.format_date(_language(context), value, precision)
