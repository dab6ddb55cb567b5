"""Reading the letters back with pypdf: text, page by page, and where each piece sits."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass

import pypdf

MM = 72 / 25.4
PAGE_HEIGHT_MM = 297


@dataclass(frozen=True)
class Chunk:
    """A piece of text as drawn: its baseline's left end and its size, in mm from the top left."""

    text: str
    x: float
    baseline: float
    size: float

    @property
    def top(self) -> float:
        return self.baseline - self.size


def reader(pdf: bytes) -> pypdf.PdfReader:
    return pypdf.PdfReader(io.BytesIO(pdf))


def page_texts(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in reader(pdf).pages]


def flat(text: str) -> str:
    """Text with every run of whitespace made one space, so wrapped sentences match."""
    return " ".join(text.split())


def chunks(pdf: bytes, page_number: int = 1) -> list[Chunk]:
    found: list[Chunk] = []

    def visit(text, cm, tm, font_dict, font_size):
        if not text.strip():
            return
        x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
        y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
        scale = (tm[3] * cm[3]) or 1
        found.append(
            Chunk(
                text=text.strip(),
                x=x / MM,
                baseline=PAGE_HEIGHT_MM - y / MM,
                size=font_size * abs(scale) / MM,
            )
        )

    reader(pdf).pages[page_number - 1].extract_text(visitor_text=visit)
    return found


def printed_credentials(pdf: bytes, page_number: int = 1) -> tuple[str, str]:
    """The username and password as printed on a Danish page, spaces removed."""
    lines = [line.strip() for line in page_texts(pdf)[page_number - 1].splitlines()]
    username = lines[lines.index("Brugernavn") + 1]
    password = lines[lines.index("Adgangskode") + 1]
    return re.sub(r"\s", "", username), re.sub(r"\s", "", password)
