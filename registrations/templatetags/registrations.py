"""Template filters of the registrations app."""

from __future__ import annotations

from django import template

from ..models import letter_language_names

register = template.Library()


@register.filter
def language_names(codes: str) -> str:
    """A letter's languages as stored ("da,en,pl") by their names: "dansk, engelsk, polsk"."""
    return letter_language_names(codes)
