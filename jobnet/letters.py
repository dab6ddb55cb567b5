"""The Jobnet letter: username, one-time password and how to make a CV, as A4 PDF bytes.

Pure Python: nothing here imports Django. :func:`render_letter` takes the
person's and the jobcentre's details (:class:`LetterData`) and the credentials
(:class:`Credentials`) and returns the PDF. Nothing is written to disk.

One page per language: Danish, English, then the person's own language when
``letter_texts/<code>.toml`` exists. Adding a language is adding one file.

Page 1 is made for a Danish window envelope: the name and address sit where a
left window of a C5 or C6/5 envelope shows them, and everything confidential
(personnummer, username, password) lies below the window, with room to spare
for the sheet sliding in the envelope (CPR-loven § 54).

In training mode (``LetterData.training``) every page carries a band in the top
margin, above the letterhead and the window, saying in Danish and English that
the personnummer and the Jobnet login are not registered in CPR or Jobnet.

Library and font: ReportLab (BSD) draws straight onto a canvas, about 80 times
faster per letter than fpdf2 in a trial. The font is Fira Sans (SIL Open Font
License 1.1, from the PyPI package ``fontpkg-fira-sans``): static TrueType
files covering Latin with every EU diacritic, Greek and Cyrillic. ReportLab
embeds only the glyphs a letter uses. The fonts are registered once per process.
"""

from __future__ import annotations

import functools
import io
import re
import string
import tomllib
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import fontpkg
from reportlab.graphics.barcode import qrencoder
from reportlab.lib.pagesizes import A4
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

from apoc.accounts.contact import Hours, is_contactable
from apoc.exceptions import DomainError, gettext_noop
from cpr.personnummer import InvalidPersonnummer, parse

from .credentials import printable

__all__ = [
    "BASE_LANGUAGES",
    "LOGIN_URL",
    "TRAINING_BAND",
    "TRAINING_NOTICE",
    "WINDOW",
    "WINDOW_RISK",
    "Credentials",
    "InvalidLetterData",
    "LetterData",
    "available_languages",
    "letter_languages",
    "render_letter",
]

#: Where a jobseeker logs in to Jobnet.
LOGIN_URL = "https://job.jobnet.dk"
#: Printed on every letter, in this order, before the person's own language.
BASE_LANGUAGES: tuple[str, ...] = ("da", "en")

TEXTS_DIR = Path(__file__).resolve().parent / "letter_texts"

MM = 72 / 25.4
PAGE_WIDTH = 210 * MM
PAGE_HEIGHT = 297 * MM


@dataclass(frozen=True)
class Rect:
    """A rectangle on the page in millimetres, measured from the top left corner."""

    left: float
    top: float
    right: float
    bottom: float

    def contains(self, x_mm: float, y_mm: float) -> bool:
        return self.left <= x_mm <= self.right and self.top <= y_mm <= self.bottom

    def grown(self, by: float) -> Rect:
        return Rect(self.left - by, self.top - by, self.right + by, self.bottom + by)


# The left window of the envelopes a Danish jobcentre posts A4 letters in: C5
# (162 x 229 mm, the sheet folded once) and C6/5, "C65" (114 x 229 mm, folded
# in three). Makers place it 15-20 mm from the left edge and 39-45 mm from the
# top, 85-105 mm wide and 35-45 mm high (C5: 15/44 mm, 105 x 35; C6/5: 15/39 mm,
# 100 x 35; DIN 5008 form B, common in Danish templates: 20/45 mm, 85 x 45).
# WINDOW is the union of those placements on the unfolded A4 page.
WINDOW = Rect(left=15, top=39, right=120, bottom=90)
# The folded sheet can slide in the envelope: up to 19 mm across and 13.5 mm
# (C5) or 15 mm (C6/5) up and down. Everything in WINDOW_RISK may show through
# the window, so nothing confidential goes there.
WINDOW_SLACK = 15
WINDOW_RISK = WINDOW.grown(WINDOW_SLACK)
# The address block lies where every one of those windows shows it.
ADDRESS_LEFT = 22
ADDRESS_TOP = 50
ADDRESS_WIDTH = 80
ADDRESS_MAX_LINES = 5
# Every page's body starts below the window and its slack: pages are printed
# duplex or put in out of order, and any of them may end up against the window.
BODY_TOP = WINDOW_RISK.bottom + 2

MARGIN_LEFT = 22
MARGIN_RIGHT = 18
BODY_WIDTH = 210 - MARGIN_LEFT - MARGIN_RIGHT
HEAD_LEFT = 140  # the right-hand column: letterhead, date, languages
HEAD_WIDTH = 210 - HEAD_LEFT - MARGIN_RIGHT
BODY_BOTTOM = 280
FOOTER_Y = 288

#: Printed on every page of a letter made in training mode: Danish, then English.
TRAINING_NOTICE: tuple[str, str] = (
    "Træningsmiljø – personnumre og Jobnet-koder er ikke registreret i CPR eller Jobnet",
    "Training environment – personnumre and Jobnet logins are not registered in CPR or Jobnet",
)
#: The band that holds it: the top margin, above the letterhead (15 mm) and far
#: above the window and its slack, on every page.
TRAINING_BAND = Rect(left=MARGIN_LEFT, top=5, right=210 - MARGIN_RIGHT, bottom=13.5)

REGULAR = "FiraSans"
BOLD = "FiraSans-Bold"
INK = (0.1, 0.1, 0.1)
MUTED = (0.33, 0.33, 0.33)
ACCENT = (0.10, 0.30, 0.50)
BOX_FILL = (0.93, 0.95, 0.97)
TRAINING_FILL = (1.0, 0.83, 0.23)  # the web band's #ffd43b; light grey in black and white


class InvalidLetterData(DomainError):
    """The letter cannot be made from these details."""

    code = "invalid_letter_data"
    template = gettext_noop("Brevet kan ikke udskrives.")


_NAME_MISSING = gettext_noop("Brevet kan ikke udskrives: navnet mangler.")
_ADDRESS_TOO_LONG = gettext_noop(
    "Brevet kan ikke udskrives: navn og adresse må højst fylde %(max)s linjer i rudekuverten."
)
_UNPRINTABLE = gettext_noop(
    "Brevet kan ikke udskrives: brevets skrifttype har ikke tegnene %(chars)s."
)
_BAD_PERSONNUMMER = gettext_noop("Brevet kan ikke udskrives: personnummeret er ugyldigt.")


@dataclass(frozen=True)
class LetterData:
    """What the letter says about the person and the jobcentre.

    It holds no credentials, so it can be built, passed and logged freely.
    ``language`` is the person's preferred language as an ISO 639-1 code
    (``"pl"``, ``"ro-RO"`` and ``"PL"`` are accepted); Danish and English are
    always printed. ``training`` puts the training band on every page
    (:data:`TRAINING_NOTICE`): set it whenever the number or the login was made
    up in training mode.

    The jobcentre's address, phone, e-mail and opening hours are printed in the
    letterhead of every page, in the page's language; the invitation to get in
    touch is printed only when they say how (:attr:`can_be_contacted`: a phone,
    an e-mail, or an address with opening hours).
    """

    name: str
    address_lines: tuple[str, ...]
    personnummer: str
    jobcentre_name: str
    jobcentre_address_lines: tuple[str, ...]
    jobcentre_phone: str
    jobcentre_email: str
    letter_date: date
    language: str = ""
    login_url: str = LOGIN_URL
    training: bool = False
    jobcentre_opening_hours: tuple[Hours, ...] = ()

    def __post_init__(self) -> None:
        set_ = functools.partial(object.__setattr__, self)
        set_("name", _clean(self.name))
        set_("address_lines", _clean_lines(self.address_lines))
        set_("jobcentre_name", _clean(self.jobcentre_name))
        set_("jobcentre_address_lines", _clean_lines(self.jobcentre_address_lines))
        set_("jobcentre_phone", _clean(self.jobcentre_phone))
        set_("jobcentre_email", _clean(self.jobcentre_email))
        set_("language", _language_code(self.language))
        if not self.name:
            raise InvalidLetterData(_NAME_MISSING)
        if 1 + len(self.address_lines) > ADDRESS_MAX_LINES:
            raise InvalidLetterData(_ADDRESS_TOO_LONG, params={"max": ADDRESS_MAX_LINES})
        try:
            number = parse(self.personnummer, today=self.letter_date)
        except InvalidPersonnummer:
            raise InvalidLetterData(_BAD_PERSONNUMMER) from None
        set_("personnummer", number.formatted)

    @property
    def languages(self) -> tuple[str, ...]:
        return letter_languages(self.language)

    @property
    def can_be_contacted(self) -> bool:
        """Whether the letter can say how to reach the jobcentre, and so invite it."""
        return is_contactable(
            phone=self.jobcentre_phone,
            email=self.jobcentre_email,
            address=", ".join(self.jobcentre_address_lines),
            has_opening_hours=bool(self.jobcentre_opening_hours),
        )


@dataclass(frozen=True)
class Credentials:
    """A username and its one-time password, in memory only while a letter is made.

    The password is left out of ``repr`` so that it cannot reach a log or an
    error report through one.

    APOC's own credentials (:mod:`jobnet.credentials`) are printed in groups of
    four with a note that the spaces are not typed and which characters occur.
    ``as_typed`` credentials, a login the caseworker typed from the case
    system, follow the case system's rules: they are printed exactly as given,
    without that note, which would not be true of them.
    """

    username: str
    password: str = field(repr=False)
    as_typed: bool = False

    def printed(self, value: str) -> str:
        """``value`` (the username or the password) as the letter prints it."""
        return value if self.as_typed else printable(value)


def _clean(value: str) -> str:
    """One line of text: NFC (as fonts map precomposed letters), single spaces."""
    return " ".join(unicodedata.normalize("NFC", value or "").split())


def _clean_lines(lines: Iterable[str] | str) -> tuple[str, ...]:
    if isinstance(lines, str):
        lines = lines.splitlines()
    return tuple(line for line in (_clean(line) for line in lines) if line)


def _language_code(value: str | None) -> str:
    return re.split(r"[-_]", (value or "").strip().lower(), maxsplit=1)[0]


# -- the texts ------------------------------------------------------------------


class LetterTextsError(RuntimeError):
    """A translation file is broken: a programming error, caught by the tests."""


@functools.cache
def _catalogue() -> dict[str, dict[str, Any]]:
    """Every translation, read once per process and checked against Danish."""
    texts: dict[str, dict[str, Any]] = {}
    for path in sorted(TEXTS_DIR.glob("*.toml")):
        with path.open("rb") as handle:
            texts[path.stem] = tomllib.load(handle)
    reference = texts.get("da")
    if reference is None or "en" not in texts:
        raise LetterTextsError("letter_texts/ must hold da.toml and en.toml")
    for code, table in texts.items():
        _check_texts(code, table, reference)
    return texts


def _placeholders(value: Any) -> set[str]:
    items = value if isinstance(value, list) else [value]
    return {name for item in items for _, name, _, _ in string.Formatter().parse(item) if name}


def _check_texts(code: str, table: dict[str, Any], reference: dict[str, Any]) -> None:
    if set(table) != set(reference):
        missing, extra = set(reference) - set(table), set(table) - set(reference)
        raise LetterTextsError(f"{code}.toml: missing {sorted(missing)}, unknown {sorted(extra)}")
    for key, value in table.items():
        ref = reference[key]
        if type(value) is not type(ref) or (isinstance(ref, list) and len(value) != len(ref)):
            raise LetterTextsError(f"{code}.toml: {key} must look like da.toml's")
        if isinstance(value, list) and not all(isinstance(item, str) for item in value):
            raise LetterTextsError(f"{code}.toml: {key} must hold strings")
        if _placeholders(value) != _placeholders(ref):
            raise LetterTextsError(f"{code}.toml: {key} must use {sorted(_placeholders(ref))}")


def available_languages() -> tuple[str, ...]:
    """The language codes a letter can be printed in."""
    return tuple(sorted(_catalogue()))


def letter_languages(preferred: str | None) -> tuple[str, ...]:
    """Danish and English, then ``preferred`` when there is a translation for it."""
    code = _language_code(preferred)
    if code and code not in BASE_LANGUAGES and code in _catalogue():
        return (*BASE_LANGUAGES, code)
    return BASE_LANGUAGES


def _formatted_date(texts: dict[str, Any], day: date) -> str:
    return texts["date"].format(day=day.day, month=texts["months"][day.month - 1], year=day.year)


# -- fonts ------------------------------------------------------------------------


@functools.cache
def _fonts() -> dict[str, Any]:
    """Register Fira Sans regular and bold with ReportLab, once per process."""
    fonts = {}
    for name, weight in ((REGULAR, 400), (BOLD, 700)):
        font = TTFont(name, str(fontpkg.path("Fira Sans", weight)))
        pdfmetrics.registerFont(font)
        fonts[name] = font
    return fonts


def _unprintable(texts: Iterable[str]) -> set[str]:
    glyphs = _fonts()[REGULAR].face.charToGlyph
    return {ch for text in texts for ch in text if ord(ch) not in glyphs and not ch.isspace()}


# -- the QR code ------------------------------------------------------------------


@functools.cache
def _qr_runs(url: str) -> tuple[int, tuple[tuple[int, int, int], ...]]:
    """The QR code of ``url`` as (modules, runs of dark modules (row, column, length))."""
    code = qrencoder.QRCode(None, qrencoder.QRErrorCorrectLevel.M)
    code.addData(url)
    code.make()
    count = code.getModuleCount()
    runs = []
    for row in range(count):
        column = 0
        while column < count:
            if code.isDark(row, column):
                start = column
                while column < count and code.isDark(row, column):
                    column += 1
                runs.append((row, start, column - start))
            else:
                column += 1
    return count, tuple(runs)


# -- layout -----------------------------------------------------------------------
#
# Each page is laid out first as a list of drawing operations with positions in
# points from the top, so that a long translation can be set a little smaller
# until it fits its page, and then drawn.

Op = tuple[Any, ...]


class _Page:
    def __init__(self, scale: float) -> None:
        self.ops: list[Op] = []
        self.scale = scale

    def text(
        self, x_mm: float, y: float, text: str, font: str = REGULAR, size: float = 9.5, color=INK
    ) -> None:
        self.ops.append(("text", x_mm * MM, y, text, font, size, color))

    def wrap(self, text: str, font: str, size: float, width_mm: float) -> list[str]:
        return simpleSplit(text, font, size, width_mm * MM) or [""]

    def paragraph(
        self,
        y: float,
        text: str,
        *,
        x_mm: float = MARGIN_LEFT,
        width_mm: float = BODY_WIDTH,
        font: str = REGULAR,
        size: float = 9.5,
        color=INK,
        after: float = 4.0,
        scaled: bool = True,
    ) -> float:
        """Set ``text`` from ``y`` (its first line's top); return the y below it.

        ``size`` (points) and ``after`` (points of space below) are multiplied
        by the page's scale unless ``scaled`` is false (the letterhead).
        """
        if scaled:
            size *= self.scale
            after *= self.scale
        leading = size * 1.32
        for line in self.wrap(text, font, size, width_mm):
            y += size
            self.text(x_mm, y, line, font, size, color)
            y += leading - size
        return y + after


def _letterhead(page: _Page, data: LetterData, texts: dict[str, Any]) -> float:
    y = 15 * MM
    y = page.paragraph(
        y,
        data.jobcentre_name,
        x_mm=HEAD_LEFT,
        width_mm=HEAD_WIDTH,
        font=BOLD,
        size=10.5,
        color=ACCENT,
        after=1,
        scaled=False,
    )
    contact = [*data.jobcentre_address_lines]
    if data.jobcentre_phone:
        contact.append(f"{texts['phone']}: {data.jobcentre_phone}")
    if data.jobcentre_email:
        contact.append(f"{texts['email']}: {data.jobcentre_email}")
    if data.jobcentre_opening_hours:
        hours = _opening_hours(data.jobcentre_opening_hours, texts)
        contact.append(f"{texts['opening_hours']}: {hours}")
    for line in contact:
        y = page.paragraph(
            y,
            line,
            x_mm=HEAD_LEFT,
            width_mm=HEAD_WIDTH,
            size=8.5,
            color=MUTED,
            after=0,
            scaled=False,
        )
    y += 4 * MM
    return page.paragraph(
        y,
        _formatted_date(texts, data.letter_date),
        x_mm=HEAD_LEFT,
        width_mm=HEAD_WIDTH,
        size=9.5,
        after=0,
        scaled=False,
    )


def _address_block(page: _Page, data: LetterData, texts: dict[str, Any]) -> None:
    """The return address line and the recipient, inside the window (page 1 only)."""
    sender = ", ".join([data.jobcentre_name, *data.jobcentre_address_lines])
    size = 7.0
    while size > 5 and _width(f"{texts['return_address']}: {sender}", REGULAR, size) > (
        ADDRESS_WIDTH * MM
    ):
        size -= 0.5
    page.text(
        ADDRESS_LEFT,
        (ADDRESS_TOP - 3) * MM,
        f"{texts['return_address']}: {sender}",
        REGULAR,
        size,
        MUTED,
    )
    # One font and size for the whole address, as the post asks; shrink a long
    # name to fit the window's width rather than wrap it.
    size = 10.5
    lines = [data.name, *data.address_lines]
    while size > 7 and max(_width(line, REGULAR, size) for line in lines) > ADDRESS_WIDTH * MM:
        size -= 0.5
    wrapped = [part for line in lines for part in page.wrap(line, REGULAR, size, ADDRESS_WIDTH)]
    if len(wrapped) > ADDRESS_MAX_LINES:
        raise InvalidLetterData(_ADDRESS_TOO_LONG, params={"max": ADDRESS_MAX_LINES})
    y = ADDRESS_TOP * MM
    for line in wrapped:
        y += size
        page.text(ADDRESS_LEFT, y, line, REGULAR, size, INK)
        y += size * 0.25


def _training_band(page: _Page) -> None:
    """The training notice in a framed band in the top margin (training mode only)."""
    band = TRAINING_BAND
    width, height = band.right - band.left, band.bottom - band.top
    page.ops.append(("band", band.left * MM, band.top * MM, width * MM, height * MM))
    danish, english = TRAINING_NOTICE
    page.text(band.left + 3, (band.top + 3.6) * MM, danish, BOLD, 8.5, INK)
    page.text(band.left + 3, (band.top + 6.9) * MM, english, REGULAR, 7.5, INK)


def _width(text: str, font: str, size: float) -> float:
    return stringWidth(text, font, size)


def _language_index(
    page: _Page, y: float, languages: Sequence[str], catalogue: dict[str, dict[str, Any]]
) -> None:
    y += 6 * MM
    for number, code in enumerate(languages[1:], start=2):
        y = page.paragraph(
            y,
            catalogue[code]["this_letter_here"].format(page=number),
            x_mm=HEAD_LEFT,
            width_mm=HEAD_WIDTH,
            size=8.5,
            color=ACCENT,
            after=1,
            scaled=False,
        )


def _credentials_box(
    page: _Page, y: float, texts: dict[str, Any], credentials: Credentials, url: str
) -> float:
    s = page.scale
    pad = 4 * MM
    qr_size = 30 * MM
    right_width = 44
    left_width = BODY_WIDTH - right_width - 14
    top = y
    y += pad
    for label, value in (
        (texts["username"], credentials.printed(credentials.username)),
        (texts["password"], credentials.printed(credentials.password)),
    ):
        y = page.paragraph(
            y, label, x_mm=MARGIN_LEFT + 4, width_mm=left_width, size=8.5, color=MUTED, after=0.5
        )
        # One line always: a long value from the case system is set smaller, never wrapped.
        size = 16.0
        while size > 8 and _width(value, BOLD, size * s) > left_width * MM:
            size -= 0.5
        y = page.paragraph(
            y, value, x_mm=MARGIN_LEFT + 4, width_mm=left_width, font=BOLD, size=size, after=3
        )
    notes = [texts["one_time_note"]]
    if not credentials.as_typed:
        notes.insert(0, texts["spaces_note"])
    for note in notes:
        y = page.paragraph(
            y, note, x_mm=MARGIN_LEFT + 4, width_mm=left_width, size=8, color=MUTED, after=1
        )
    left_bottom = y
    right_x = MARGIN_LEFT + BODY_WIDTH - right_width - 4
    y = page.paragraph(
        top + pad, texts["scan"], x_mm=right_x, width_mm=right_width, size=8, color=MUTED, after=1.5
    )
    page.ops.append(("qr", right_x * MM, y, qr_size, url))
    y += qr_size + 1.5 * MM
    y = page.paragraph(
        y, url, x_mm=right_x, width_mm=right_width, font=BOLD, size=9.5, color=ACCENT, after=0
    )
    bottom = max(left_bottom, y) + pad - 2 * s
    page.ops.insert(0, ("box", MARGIN_LEFT * MM, top, BODY_WIDTH * MM, bottom - top))
    return bottom + 5 * MM * s


def _layout_page(
    data: LetterData,
    credentials: Credentials,
    languages: Sequence[str],
    number: int,
    catalogue: dict[str, dict[str, Any]],
    scale: float,
) -> tuple[_Page, float]:
    code = languages[number - 1]
    texts = catalogue[code]
    page = _Page(scale)
    if data.training:
        _training_band(page)
    head_bottom = _letterhead(page, data, texts)
    if number == 1:
        _address_block(page, data, texts)
        if len(languages) > 1:
            _language_index(page, head_bottom, languages, catalogue)
    y = BODY_TOP * MM
    fill = {"name": data.name, "jobcentre": data.jobcentre_name, "url": data.login_url}

    y = page.paragraph(y, texts["subject"], font=BOLD, size=14, color=ACCENT, after=4)
    y = page.paragraph(y, texts["greeting"].format_map(fill), after=3)
    y = page.paragraph(y, texts["intro"].format_map(fill), after=3)
    y = page.paragraph(y, f"{texts['personnummer']}: {data.personnummer}", font=BOLD, after=3)
    y = _credentials_box(page, y, texts, credentials, data.login_url)

    y = page.paragraph(y, texts["steps_title"], font=BOLD, size=11, color=ACCENT, after=1.5)
    for index, step in enumerate(texts["steps"], start=1):
        page.paragraph(y, f"{index}.", font=BOLD, after=0)
        y = page.paragraph(
            y, step.format_map(fill), x_mm=MARGIN_LEFT + 6, width_mm=BODY_WIDTH - 6, after=1.5
        )
    y += 2 * MM * scale

    y = page.paragraph(y, texts["about_title"], font=BOLD, size=11, color=ACCENT, after=1.5)
    y = page.paragraph(y, texts["no_rights"], after=2)
    y = page.paragraph(y, texts["mitid"], after=2)
    y = page.paragraph(y, texts["keep_safe"], font=BOLD, after=4)

    if data.can_be_contacted:
        y = page.paragraph(y, texts["contact"], after=2)
    y = page.paragraph(y, texts["regards"], after=0)
    y = page.paragraph(y, data.jobcentre_name, after=0)

    footer = texts["page"].format(page=number, pages=len(languages))
    page.text((210 - _width(footer, REGULAR, 8) / MM) / 2, FOOTER_Y * MM, footer, REGULAR, 8, MUTED)
    return page, y


def _opening_hours(hours: Sequence[Hours], texts: dict[str, Any]) -> str:
    """The hours in the page's language: "Monday–Thursday 9:00–15:00, Friday 9:00–13:00"."""
    days = texts["weekdays"]

    def clock(value: tuple[int, int]) -> str:
        return texts["time"].format(hour=value[0], minute=f"{value[1]:02d}")

    parts = []
    for h in hours:
        span = days[h.first] if h.last == h.first else f"{days[h.first]}–{days[h.last]}"
        parts.append(f"{span} {clock(h.opens)}–{clock(h.closes)}")
    return ", ".join(parts)


def _fit_page(
    data: LetterData,
    credentials: Credentials,
    languages: Sequence[str],
    number: int,
    catalogue: dict[str, dict[str, Any]],
) -> _Page:
    """Lay out one language's page, a little smaller each time until it fits."""
    scale = 1.0
    while True:
        page, bottom = _layout_page(data, credentials, languages, number, catalogue, scale)
        if bottom <= BODY_BOTTOM * MM or scale <= 0.7:
            return page
        scale -= 0.05


# -- drawing ----------------------------------------------------------------------


def _draw(canvas: Any, page: _Page) -> None:
    """The shapes first, then all of the page's text in one text object."""
    for op in page.ops:
        if op[0] == "box":
            _, x, y, width, height = op
            canvas.saveState()
            canvas.setFillColorRGB(*BOX_FILL)
            canvas.setStrokeColorRGB(*ACCENT)
            canvas.setLineWidth(1.2)
            canvas.roundRect(x, PAGE_HEIGHT - y - height, width, height, 3 * MM, fill=1, stroke=1)
            canvas.restoreState()
        elif op[0] == "band":
            _, x, y, width, height = op
            canvas.saveState()
            canvas.setFillColorRGB(*TRAINING_FILL)
            canvas.setStrokeColorRGB(*INK)
            canvas.setLineWidth(1)
            canvas.rect(x, PAGE_HEIGHT - y - height, width, height, fill=1, stroke=1)
            canvas.restoreState()
        elif op[0] == "qr":
            _, x, y, size, url = op
            _draw_qr(canvas, x, PAGE_HEIGHT - y - size, size, url)
    text = canvas.beginText()
    font_state: tuple[str, float] | None = None
    color_state: Any = None
    for op in page.ops:
        if op[0] != "text":
            continue
        _, x, y, line, font, size, color = op
        if (font, size) != font_state:
            text.setFont(font, size)
            font_state = (font, size)
        if color != color_state:
            text.setFillColorRGB(*color)
            color_state = color
        text.setTextOrigin(x, PAGE_HEIGHT - y)
        text.textOut(line)
    canvas.drawText(text)


QR_QUIET = 2  # a white margin of two modules; the light box around it is no quiet zone
QR_FORM = "JobnetLoginQR"


def _draw_qr(canvas: Any, x: float, y: float, size: float, url: str) -> None:
    """The QR code, drawn once per document as a form and placed on each page."""
    count, runs = _qr_runs(url)
    units = count + 2 * QR_QUIET
    if not canvas.hasForm(QR_FORM):
        canvas.beginForm(QR_FORM, lowerx=0, lowery=0, upperx=units, uppery=units)
        canvas.setFillColorRGB(1, 1, 1)
        canvas.rect(0, 0, units, units, stroke=0, fill=1)
        canvas.setFillColorRGB(0, 0, 0)
        path = canvas.beginPath()
        for row, column, length in runs:
            path.rect(QR_QUIET + column, units - QR_QUIET - row - 1, length, 1)
        canvas.drawPath(path, stroke=0, fill=1)
        canvas.endForm()
    canvas.saveState()
    canvas.translate(x, y)
    canvas.scale(size / units, size / units)
    canvas.doForm(QR_FORM)
    canvas.restoreState()


def render_letter(data: LetterData, credentials: Credentials) -> bytes:
    """The letter as A4 PDF bytes, one page per language of ``data.languages``.

    Raises :class:`InvalidLetterData` when the details cannot be printed.
    """
    catalogue = _catalogue()
    _fonts()
    personal = [
        data.name,
        *data.address_lines,
        data.jobcentre_name,
        *data.jobcentre_address_lines,
        data.jobcentre_phone,
        data.jobcentre_email,
    ]
    missing = _unprintable(personal)
    if missing:
        raise InvalidLetterData(_UNPRINTABLE, params={"chars": " ".join(sorted(missing))})
    languages = data.languages
    buffer = io.BytesIO()
    canvas = Canvas(
        buffer, pagesize=A4, pageCompression=1, initialFontName=REGULAR, initialFontSize=10
    )
    canvas.setTitle(catalogue["da"]["subject"])
    canvas.setAuthor(data.jobcentre_name)
    canvas.setCreator("APOC")
    for number in range(1, len(languages) + 1):
        _draw(canvas, _fit_page(data, credentials, languages, number, catalogue))
        canvas.showPage()
    canvas.save()
    return buffer.getvalue()
