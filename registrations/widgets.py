"""A select whose fixed options are rendered once per language, not once per request.

Django renders a select by including a template for every option. The intake form has
three lists of every country (about 250 options each), and rendering them was most of the
blank form's GET (``bench/intake.py``, ``intake_form_*``). The options of those lists never
change within a language, so :class:`CachedSelect` renders each option's HTML once and, per
request, only marks the chosen one. Its output is byte for byte what ``forms.Select`` makes
(``tests/registrations/test_widgets.py`` compares them).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable
from functools import lru_cache
from typing import Any

from django import forms
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

#: One option as cached: its value, its HTML unchosen, its HTML chosen.
_Option = tuple[str, str, str]
#: One group as cached: its opening and closing HTML ("" for an ungrouped option), its options.
_Group = tuple[str, str, tuple[_Option, ...]]

#: The fixed choices of every cached select, by key: registered by the widgets themselves.
_SOURCES: dict[Hashable, Callable[[], Iterable[tuple[Any, Any]]]] = {}


def attrs_html(attrs: dict[str, Any]) -> str:
    """The attributes as ``django/forms/widgets/attrs.html`` writes them."""
    parts = []
    for name, value in attrs.items():
        if value is False:
            continue
        if value is True:
            parts.append(f" {conditional_escape(name)}")
        else:
            parts.append(f' {conditional_escape(name)}="{conditional_escape(str(value))}"')
    return "".join(parts)


def _option(value: Any, label: Any) -> _Option:
    value = "" if value is None else str(value)
    head = f'\n  <option value="{conditional_escape(value)}"'
    # select_option.html ends with a newline, which Django's rendering keeps.
    tail = f">{conditional_escape(str(label))}</option>\n"
    return value, head + tail, head + " selected" + tail


@lru_cache(maxsize=64)
def _groups(key: Hashable, language: str | None) -> tuple[_Group, ...]:
    """The options of ``key``'s choices in ``language``, rendered (``select.html``'s layout)."""
    groups: list[_Group] = []
    for value, label in _SOURCES[key]():
        if isinstance(label, list | tuple):
            opening = f'\n  <optgroup label="{conditional_escape(str(value))}">'
            groups.append((opening, "\n  </optgroup>", tuple(_option(*pair) for pair in label)))
        else:
            groups.append(("", "", (_option(value, label),)))
    return tuple(groups)


class CachedSelect(forms.Select):
    """A single select over fixed choices, rendered from HTML cached per language.

    ``key`` names the choices and ``choices`` gives them. They must not depend on anything
    but the active language, and a form must not change them per instance: such a select
    needs ``forms.Select``.
    """

    #: The first option's label for this form, in place of the cached one (set per form:
    #: the letter language's empty choice names the language it stands for).
    first_label: str | None = None

    def __init__(
        self,
        *,
        key: Hashable,
        choices: Callable[[], Iterable[tuple[Any, Any]]],
        attrs: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(attrs=attrs)
        _SOURCES[key] = choices
        self.key = key

    def use_required_attribute(self, initial: Any) -> bool:
        """As ``forms.Select``'s (HTML allows ``required`` only with an empty first option),
        from the cached choices rather than by building them again."""
        if self.is_hidden:
            return False
        opening, _closing, options = _groups(self.key, get_language())[0]
        return opening == "" and options[0][0] == ""

    def render(self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer=None):
        final_attrs = self.build_attrs(self.attrs, attrs)
        chosen = self.format_value(value)
        html = [f'<select name="{conditional_escape(name)}"{attrs_html(final_attrs)}>']
        found = False
        for index, (opening, closing, options) in enumerate(_groups(self.key, get_language())):
            html.append(opening)
            if index == 0 and self.first_label is not None:
                first = options[0][0]
                options = (_option(first, self.first_label), *options[1:])
            for option_value, plain, selected in options:
                # Like ChoiceWidget.optgroups: only the first option with the value is chosen.
                if not found and option_value in chosen:
                    found = True
                    html.append(selected)
                else:
                    html.append(plain)
            html.append(closing)
        html.append("\n</select>")
        return mark_safe("".join(html))  # noqa: S308 - every part is escaped above
