"""Template context for every page."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from .training import is_training


def training(request: HttpRequest) -> dict[str, Any]:
    """``APOC_TRAINING``: whether the page shows the training band (``training_band.html``)."""
    return {"APOC_TRAINING": is_training()}
