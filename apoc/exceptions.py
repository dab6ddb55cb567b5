"""The project's domain errors.

Pure Python, so that the pure rule modules can raise them. Every error has a
stable ``code`` and a Danish message. The message is a gettext msgid marked
with :func:`gettext_noop`, and :meth:`DomainError.message_in` renders it in
another language given a gettext function, which is how the Django layer shows
it in English.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any


def gettext_noop(message: str) -> str:
    """Mark a string for translation without translating it (for makemessages)."""
    return message


class Msg(str):
    """A parameter value that is itself a msgid and is translated when rendered."""

    __slots__ = ()


def render_message(template: str, params: Mapping[str, Any], gettext: Callable[[str], str]) -> str:
    """``template`` and ``params`` rendered with ``gettext``; :class:`Msg` params translated too."""
    rendered = {k: gettext(v) if isinstance(v, Msg) else v for k, v in params.items()}
    text = gettext(template)
    return text % rendered if rendered else text


class DomainError(Exception):
    """A failure the user can understand and act on. Never becomes a 500."""

    code: str = "domain_error"
    template: str = gettext_noop("Handlingen kunne ikke gennemføres.")

    def __init__(
        self,
        template: str | None = None,
        *,
        code: str | None = None,
        params: Mapping[str, Any] | None = None,
    ) -> None:
        if template is not None:
            self.template = template
        if code is not None:
            self.code = code
        self.params: dict[str, Any] = dict(params or {})
        super().__init__(self.message)

    def message_in(self, gettext: Callable[[str], str]) -> str:
        """The message rendered with ``gettext`` (the Danish source when identity)."""
        return render_message(self.template, self.params, gettext)

    @property
    def message(self) -> str:
        """The message in Danish."""
        return self.message_in(lambda s: s)

    def __str__(self) -> str:
        return self.message
