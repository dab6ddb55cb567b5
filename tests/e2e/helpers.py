"""What the browser tests share: screenshots, axe-core, focus checks, the jobseeker's data."""

from __future__ import annotations

import shutil
import unicodedata
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from django.utils import timezone

from documents.mrz import check_digit
from tests.factories import png_bytes

ROOT = Path(__file__).resolve().parents[2]
OUTPUT = ROOT / "test-output" / "e2e"
AXE_PATH = ROOT / "node_modules" / "axe-core" / "axe.min.js"
#: Where the test serves axe-core on the live server's origin (see conftest.context).
AXE_URL_PATH = "/__e2e__/axe.min.js"
#: tests.factories.UserFactory's password.
PASSWORD = "korrekt-hest-batteri-klips"
#: axe-core impacts that fail a page.
FAILING_IMPACTS = ("serious", "critical")


# --- Screenshots and axe --------------------------------------------------------------------------


class Shots:
    """Numbered full-page screenshots of one test's steps, and its axe-core findings."""

    def __init__(self, folder: Path) -> None:
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        self.folder = folder
        self.count = 0

    def __call__(self, page, step: str) -> Path:
        self.count += 1
        path = self.folder / f"{self.count:02d}-{step}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    def axe(self, page, step: str) -> list[dict]:
        """Run axe-core on the page; fail on serious or critical violations.

        Every violation, whatever its impact, goes to ``axe.txt`` beside the screenshots.
        """
        violations = axe_violations(page)
        with (self.folder / "axe.txt").open("a", encoding="utf-8") as report:
            report.write(f"== {step} {page.url}\n")
            for violation in violations:
                report.write(describe_violation(violation) + "\n")
            if not violations:
                report.write("no violations\n")
        failing = [v for v in violations if v["impact"] in FAILING_IMPACTS]
        assert not failing, f"axe-core on {step} ({page.url}):\n" + "\n".join(
            describe_violation(v) for v in failing
        )
        return violations


def axe_violations(page) -> list[dict]:
    if not page.evaluate("() => typeof window.axe === 'object'"):
        origin = page.evaluate("() => location.origin")
        page.add_script_tag(url=origin + AXE_URL_PATH)
    return page.evaluate(
        """async () => {
            const result = await axe.run(document, {resultTypes: ['violations']});
            return result.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.map(n => ({target: n.target.join(' '), summary: n.failureSummary})),
            }));
        }"""
    )


def describe_violation(violation: dict) -> str:
    nodes = "; ".join(n["target"] for n in violation["nodes"][:5])
    return f"[{violation['impact']}] {violation['id']}: {violation['help']} -- {nodes}"


# --- Focus ------------------------------------------------------------------------------------------

_FOCUS = """() => {
    const el = document.activeElement;
    if (!el || el === document.body || el === document.documentElement) {
        return {ok: false, what: 'body'};
    }
    const what = el.tagName.toLowerCase() + (el.id ? '#' + el.id : '')
        + (el.name ? '[name=' + el.name + ']' : '') + (el.type ? '[type=' + el.type + ']' : '');
    if (!el.matches(':focus')) {
        // The focus is on a part of the element inside the browser's own shadow tree,
        // such as a date input's calendar button; its style cannot be read.
        return {ok: null, inner: true, what: what + '::inner'};
    }
    const style = getComputedStyle(el);
    const box = el.getBoundingClientRect();
    const outline = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 1
        && !/rgba\\(.*, 0\\)$/.test(style.outlineColor);
    const shadow = style.boxShadow && style.boxShadow !== 'none';
    const onScreen = box.width > 0 && box.height > 0 && box.bottom > 0 && box.right > 0
        && box.top < innerHeight && box.left < innerWidth;
    return {
        ok: el.matches(':focus-visible') && (outline || shadow) && onScreen,
        what, focusVisible: el.matches(':focus-visible'), outline, shadow, onScreen,
        outlineStyle: style.outlineStyle + ' ' + style.outlineWidth + ' ' + style.outlineColor,
    };
}"""


def focus_state(page) -> dict:
    return page.evaluate(_FOCUS)


def wait_for_focus(page, selector: str, *, timeout: float = 5_000) -> None:
    """Wait until the element matching ``selector`` has the focus. The browser applies
    ``autofocus`` after the page has loaded, not at once."""
    page.wait_for_function(
        "(s) => document.activeElement && document.activeElement.matches(s)",
        arg=selector,
        timeout=timeout,
    )


def assert_focus_visible(page) -> dict:
    state = focus_state(page)
    assert state["ok"], f"focus is not visible: {state}"
    return state


def tab_to(page, selector: str, *, check_focus: bool = True, limit: int = 80) -> list[str]:
    """Press Tab until the element matching ``selector`` has the focus (if it has not yet).

    With ``check_focus``, every stop on the way must show a visible focus indicator: the
    focused element matches ``:focus-visible`` and draws an outline or a shadow. Where the
    focus is inside the browser's own parts of an element (a date input's calendar button),
    the element must look different focused and after the focus has moved on.
    Returns what had the focus at each stop (one per Tab pressed).
    """
    stops: list[str] = []
    if page.evaluate("(s) => document.activeElement.matches(s)", selector):
        if check_focus:
            assert_focus_visible(page)
        return stops
    inner = None
    for _ in range(limit):
        page.keyboard.press("Tab")
        if not check_focus:
            stops.append("")
        else:
            if inner is not None:
                handle, focused = inner
                assert handle.screenshot() != focused, f"no visible focus on {stops[-1]}"
                inner = None
            state = focus_state(page)
            if state.get("inner"):
                handle = page.evaluate_handle("document.activeElement")
                inner = (handle, handle.screenshot())
            else:
                assert state["ok"], f"focus is not visible: {state}"
            stops.append(state["what"])
        if page.evaluate("(s) => document.activeElement.matches(s)", selector):
            return stops
    raise AssertionError(f"{selector} never got the focus; stops: {stops}")


# --- Dates --------------------------------------------------------------------------------------------


def danish_date(value: date) -> str:
    """``value`` as a caseworker writes it: ``02.03.1990``."""
    return f"{value.day:02d}.{value.month:02d}.{value.year:04d}"


def date_keys(value: date) -> str:
    """The digits a caseworker types for ``value``: day, month, year, ``02031990``.

    APOC's date fields are text fields read day first, whatever the browser's locale
    (a native date input would follow it: month first in Debian's en-US Chromium).
    """
    return danish_date(value).replace(".", "")


# --- The jobseeker --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Person:
    """A complete, eligible intake, as a caseworker types it."""

    surname: str = "Țăranu"
    given_names: str = "Ștefan"
    birth_date: date = date(1988, 3, 9)
    sex: str = "M"
    nationality: str = "RO"
    nationality_name: str = "Rumænien"
    place_of_birth: str = "Cluj-Napoca"
    country_of_birth: str = "RO"
    document_type: str = "passport"
    document_type_name: str = "pas"
    document_number: str = "054718362"
    document_country: str = "RO"
    document_expiry: date = field(
        default_factory=lambda: timezone.localdate().replace(day=1) + timedelta(days=5 * 365)
    )
    address_abroad: str = "Strada Memorandumului 28\n400114 Cluj-Napoca"
    stay_address: str = "Istedgade 10, 2. tv\n1650 København V"
    phone: str = "+40 712 345 678"
    letter_language: str = "ro"
    letter_language_name: str = "rumænsk"
    entry_date: date = field(default_factory=lambda: timezone.localdate() - timedelta(days=10))
    purpose: str = "jobseeking"
    purpose_name: str = "jobsøgning"
    expected_stay_months: int = 3
    category: str = "A"

    @property
    def full_name(self) -> str:
        return f"{self.given_names} {self.surname}"


STEFAN = Person()

DOCUMENT = {"name": "pas.png", "mimeType": "image/png", "buffer": png_bytes(64, 40)}


def mrz_name(name: str) -> str:
    """A name as the MRZ writes it: capitals without diacritics, ``<`` between words."""
    plain = "".join(c for c in unicodedata.normalize("NFKD", name) if not unicodedata.combining(c))
    return "<".join(plain.upper().split())


def td3(person: Person) -> str:
    """The two MRZ lines of the person's passport, with correct check digits, no diacritics."""
    number = person.document_number.ljust(9, "<")
    birth = person.birth_date.strftime("%y%m%d")
    expiry = person.document_expiry.strftime("%y%m%d")
    names = f"{mrz_name(person.surname)}<<{mrz_name(person.given_names)}".ljust(39, "<")
    line1 = f"P<ROU{names}"
    personal = "<" * 14
    line2 = (
        f"{number}{check_digit(number)}ROU{birth}{check_digit(birth)}{person.sex}"
        f"{expiry}{check_digit(expiry)}{personal}{check_digit(personal)}"
    )
    composite = line2[0:10] + line2[13:20] + line2[21:43]
    line2 += str(check_digit(composite))
    assert len(line1) == len(line2) == 44
    return f"{line1}\n{line2}"


# --- Pages ------------------------------------------------------------------------------------------------


def login(page, username: str, password: str = PASSWORD, *, next_path: str = "/") -> None:
    page.goto(f"/login/?next={next_path}")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.locator("main button[type=submit]").click()
    page.wait_for_url(lambda url: "/login/" not in url)


def page_width(page) -> dict:
    """The document's width and the viewport's: no horizontal scrolling while the first
    is at most the second."""
    return page.evaluate(
        "() => ({scrollWidth: document.documentElement.scrollWidth, innerWidth: innerWidth})"
    )
