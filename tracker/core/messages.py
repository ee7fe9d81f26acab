"""Sentences made outside a request that a page must show in the reader's language.

The import engine and the deadline reader know no Flask and no locale: they write their
findings ("line 83: executor «X» is in neither the legend nor the registry") in English. Each
such sentence is a `Message`: a plain `str` (the English text, so logs, the command line and
comparisons keep working) that also remembers its template and parameters. The portal stores
`Message.data` beside the text and `translated()` renders it again in Kazakh or Russian.

Templates are marked with `msg(...)`, which `pybabel extract -k msg` collects into the catalog.
"""

from collections.abc import Callable
from typing import Any


class Message(str):
    template: str
    params: dict[str, Any]

    def __new__(cls, template: str, **params: Any) -> "Message":
        self = super().__new__(cls, template % params if params else template)
        self.template = template
        self.params = params
        return self

    def __reduce__(self):  # pickled (a staged import) as what it is, not as a bare str
        return _rebuild, (self.data,)

    @property
    def data(self) -> dict:
        """JSON-ready: {"t": template, "p": {name: value or nested message data}}."""
        return {"t": self.template,
                "p": {k: v.data if isinstance(v, Message) else v for k, v in self.params.items()}}


def msg(template: str, **params: Any) -> Message:
    """A sentence to translate later: msg("%(ref)s: no funding given", ref=row.ref)."""
    return Message(template, **params)


def _rebuild(data: dict) -> Message:
    return from_data(data)


def from_data(data: dict) -> Message:
    params = {k: from_data(v) if _is_message_data(v) else v for k, v in (data.get("p") or {}).items()}
    return Message(data["t"], **params)


def _is_message_data(value: Any) -> bool:
    return isinstance(value, dict) and set(value) == {"t", "p"}


def translated(message: str | dict | None, gettext: Callable[[str], str], data: dict | None = None) -> str:
    """The message in the current language: a Message, stored message data, or (for text
    written before messages were kept) the stored English text as it is."""
    if isinstance(message, Message):
        data = message.data
    elif _is_message_data(message):
        data = message
    if not data:
        return message or ""
    params = {k: translated(v, gettext) if _is_message_data(v) else v for k, v in (data.get("p") or {}).items()}
    source = data["t"]
    template = gettext(source)
    try:
        return template % params if params else template
    except (KeyError, ValueError, TypeError):  # a catalog entry that lost a placeholder: never break a page
        return data["t"] % params if params else data["t"]


def data_of(text: str | None) -> dict | None:
    """What to store beside a text that may be a Message (None for plain text)."""
    return text.data if isinstance(text, Message) else None
