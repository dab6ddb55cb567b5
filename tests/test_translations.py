"""The English catalogue: complete, compiled, and in step with the Danish sources.

The msgids are the Danish texts in the code. If a test here fails after you
added or changed a Danish string:

1. ``make messages`` (makemessages for ``en``, then compilemessages);
2. translate every entry with an empty ``msgstr`` (or a ``#, fuzzy`` flag) in
   ``locale/en/LC_MESSAGES/django.po``, keeping the placeholders;
3. ``make messages`` again, to compile;
4. commit both ``django.po`` and ``django.mo``.

The extraction here needs no gettext tools: Python files are read with
:mod:`ast` and templates through Django's own ``templatize``, the same
translation of a template that makemessages hands to xgettext, with the same
keywords and ignored directories as ``make messages``.
"""

from __future__ import annotations

import ast
import functools
import gettext as gnu_gettext
import os
import re
import struct
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext
from django.utils.translation.template import templatize

from cpr import eligibility, lookup, personnummer
from cpr.countries import COUNTRIES, OTHER_COUNTRY_NAMES
from cpr.personnummer import InvalidPersonnummer, parse
from documents import foreign_ids, mrz
from registrations import review
from tests.factories import CaseworkerFactory, JobcentreFactory
from tests.registrations.conftest import intake_post

ROOT = Path(settings.BASE_DIR)
LOCALE = ROOT / "locale" / "en" / "LC_MESSAGES"
PO = LOCALE / "django.po"
MO = LOCALE / "django.mo"

HOW_TO_FIX = (
    "Run `make messages`, translate the entries with an empty msgstr in "
    "locale/en/LC_MESSAGES/django.po, run `make messages` again to compile, and commit "
    "django.po and django.mo."
)


# --- A small PO reader -----------------------------------------------------------------


@dataclass
class Entry:
    line: int
    msgid: str = ""
    msgid_plural: str | None = None
    msgctxt: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)

    @property
    def key(self) -> tuple[str | None, str, str | None]:
        return (self.msgctxt, self.msgid, self.msgid_plural)


_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\", "a": "\a", "b": "\b"}
_KEYWORD = re.compile(r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[(\d+)\])?)\s+"(.*)"$')


def _unquote(text: str) -> str:
    return re.sub(r"\\(.)", lambda m: _ESCAPES[m[1]], text)


class _PoReader:
    """The state of :func:`read_po`: the entries read so far and the one being read."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.entries: list[Entry] = []
        self.current: Entry | None = None
        self.last: tuple[str, int | None] | None = None

    def finish(self) -> None:
        if self.current is not None and self.last is not None:
            self.entries.append(self.current)
        self.current, self.last = None, None

    def comment(self, number: int, line: str) -> None:
        if self.last is not None:
            self.finish()
        self.current = self.current or Entry(line=number)
        if line.startswith("#,"):
            self.current.flags.update(flag.strip() for flag in line[2:].split(","))

    def keyword(self, number: int, match: re.Match[str]) -> None:
        keyword, index, text = match[1], match[2], _unquote(match[3])
        if keyword in ("msgctxt", "msgid") and self.last is not None and self.last[0] != "msgctxt":
            self.finish()
        self.current = self.current or Entry(line=number)
        if keyword.startswith("msgstr"):
            self.last = ("msgstr", int(index or 0))
            self.current.msgstr[self.last[1]] = text
        else:
            self.last = (keyword, None)
            setattr(self.current, keyword, text)

    def continuation(self, number: int, raw: str, line: str) -> None:
        path, current, last = self.path, self.current, self.last
        assert line.startswith('"') and current is not None and last is not None, (
            f"{path}:{number}: cannot read {raw!r}"
        )
        text = _unquote(line[1:-1])
        if last[0] == "msgstr":
            current.msgstr[last[1]] += text
        else:
            setattr(current, last[0], getattr(current, last[0]) + text)


def read_po(path: Path) -> list[Entry]:
    """The entries of a PO file, the header (msgid "") first. Obsolete entries are skipped."""
    reader = _PoReader(path)
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#~"):
            reader.finish()
        elif line.startswith("#"):
            reader.comment(number, line)
        elif match := _KEYWORD.match(line):
            reader.keyword(number, match)
        else:
            reader.continuation(number, raw, line)
    reader.finish()
    return reader.entries


@functools.cache
def entries() -> tuple[Entry, ...]:
    """The header, then the messages."""
    return tuple(read_po(PO))


def messages() -> tuple[Entry, ...]:
    return entries()[1:]


def _where(entry: Entry) -> str:
    return f"{PO.relative_to(ROOT).as_posix()}:{entry.line}: {entry.msgid!r}"


# --- (a) Every entry translated, none fuzzy, the same placeholders -----------------------


def test_the_header_is_english_utf8_with_english_plurals():
    header_entry = entries()[0]
    assert header_entry.msgid == ""
    assert "fuzzy" not in header_entry.flags
    header = header_entry.msgstr[0]
    assert "Language: en\n" in header
    assert "charset=UTF-8" in header
    assert "Plural-Forms: nplurals=2; plural=(n != 1);" in header


def test_the_catalogue_is_not_empty_and_has_each_msgid_once():
    assert len(messages()) > 400
    assert len({entry.key for entry in messages()}) == len(messages())


def test_every_entry_is_translated():
    untranslated = [
        _where(entry)
        for entry in messages()
        if sorted(entry.msgstr) != ([0, 1] if entry.msgid_plural is not None else [0])
        or not all(text.strip() for text in entry.msgstr.values())
    ]
    assert not untranslated, "Untranslated entries:\n" + "\n".join(untranslated) + "\n" + HOW_TO_FIX


def test_no_entry_is_fuzzy():
    fuzzy = [_where(entry) for entry in messages() if "fuzzy" in entry.flags]
    assert not fuzzy, (
        "Fuzzy entries (makemessages guessed them from a similar msgid): check each "
        "translation, remove the flag and run `make messages`.\n" + "\n".join(fuzzy)
    )


#: A printf-style conversion as Python's % operator reads it, or "%%".
_CONVERSION = re.compile(r"%(?:\((\w+)\))?[#0 +-]*(?:\*|\d+)?(?:\.(?:\*|\d+))?[diouxXeEfFgGcrsa%]")
_NAMED = re.compile(r"%\((\w+)\)")


def placeholders(text: str, python_format: bool) -> Counter:
    if python_format:
        return Counter(m[0] for m in _CONVERSION.finditer(text))
    return Counter(_NAMED.findall(text))


def test_translations_keep_the_placeholders():
    wrong = []
    for entry in messages():
        python_format = "python-format" in entry.flags
        sources = {0: entry.msgid}
        if entry.msgid_plural is not None:
            sources[1] = entry.msgid_plural
        for index, text in entry.msgstr.items():
            expected = placeholders(sources[min(index, 1)], python_format)
            found = placeholders(text, python_format)
            if found != expected:
                wrong.append(
                    f"{_where(entry)} msgstr[{index}]: {sorted(found.elements())} "
                    f"instead of {sorted(expected.elements())}"
                )
    assert not wrong, "Placeholders differ from the msgid:\n" + "\n".join(wrong)


def test_country_names_are_the_english_names_of_the_table():
    """The Danish country names reach messages as Msg parameters; English shows these."""
    translations = {entry.msgid: entry.msgstr.get(0) for entry in messages()}
    expected = {c.name_da: c.name_en for c in COUNTRIES} | {
        name_da: name_en for _, name_da, name_en in OTHER_COUNTRY_NAMES
    }
    assert {da: translations.get(da) for da in expected} == expected


def test_every_value_a_msg_parameter_takes_is_in_the_catalogue():
    """Msg parameters are looked up at render time, so the tables they come from must hold
    msgids: MRZ field labels, sexes, review statuses, month names, the deadline phrase, why
    CPR could not be asked."""
    catalogue = {entry.msgid for entry in messages() if entry.msgctxt is None}
    values = [
        *mrz.FIELD_LABELS.values(),
        *foreign_ids._SEX_LABELS.values(),
        *review._STATUS_NAMES.values(),
        *personnummer._MONTHS,
        eligibility._THREE_MONTHS_AFTER_ENTRY,
        *lookup.REASONS.values(),
    ]
    assert [value for value in values if value not in catalogue] == []


def test_printing_the_letter_is_one_verb_in_each_language():
    """Danish says "udskriv"/"udskrift" for printing the Jobnet letter, never "print" or
    "danne"; English says "print" wherever Danish says "udskriv"."""
    wrong = []
    for entry in messages():
        danish, english = entry.msgid, " ".join(entry.msgstr.values())
        if re.search(r"\bprint", danish, re.IGNORECASE):
            wrong.append(f"{_where(entry)}: English verb in Danish")
        if "brev" in danish.lower() and re.search(r"\bdanne", danish, re.IGNORECASE):
            wrong.append(f"{_where(entry)}: 'danne' for the letter")
        if "udskr" in danish.lower() and "print" not in english.lower():
            wrong.append(f"{_where(entry)}: {english!r} does not say 'print'")
    assert not wrong, "\n".join(wrong)


# --- (b) The compiled catalogue is the PO file ---------------------------------------


def _mo_count(data: bytes) -> int:
    """The number of messages in a .mo file, the header included."""
    byte_order = "<" if data[:4] == b"\xde\x12\x04\x95" else ">"
    return struct.unpack(f"{byte_order}I", data[8:12])[0]


def test_the_mo_file_is_compiled_from_the_po_file():
    data = MO.read_bytes()
    with MO.open("rb") as handle:
        compiled = gnu_gettext.GNUTranslations(handle)
    stale = []
    for entry in messages():
        if entry.msgid_plural is None:
            if entry.msgctxt is None:
                found = [compiled.gettext(entry.msgid)]
            else:
                found = [compiled.pgettext(entry.msgctxt, entry.msgid)]
        elif entry.msgctxt is None:
            found = [compiled.ngettext(entry.msgid, entry.msgid_plural, n) for n in (1, 2)]
        else:
            found = [
                compiled.npgettext(entry.msgctxt, entry.msgid, entry.msgid_plural, n)
                for n in (1, 2)
            ]
        if found != [entry.msgstr[i] for i in sorted(entry.msgstr)]:
            stale.append(_where(entry))
    assert not stale, (
        "django.mo does not match django.po for:\n"
        + "\n".join(stale)
        + "\nRun `make messages` (or `manage.py compilemessages`) and commit django.mo."
    )
    assert _mo_count(data) == len(entries()), (
        "django.mo holds another number of messages than django.po: run `make messages` "
        "and commit django.mo."
    )


# --- (c) The catalogue covers the sources ----------------------------------------------

#: The directories `make messages` ignores, besides makemessages' defaults (".*", "CVS").
IGNORED_DIRECTORIES = {"var", "bench", "tests", "node_modules", "locale", "CVS"}

#: xgettext's Python keywords plus Django's: name -> (context, msgid, plural) positions.
KEYWORDS: dict[str, tuple[int | None, int, int | None]] = {
    "_": (None, 0, None),
    "gettext": (None, 0, None),
    "gettext_lazy": (None, 0, None),
    "gettext_noop": (None, 0, None),
    "ngettext": (None, 0, 1),
    "ngettext_lazy": (None, 0, 1),
    "pgettext": (0, 1, None),
    "pgettext_lazy": (0, 1, None),
    "npgettext": (0, 1, 2),
    "npgettext_lazy": (0, 1, 2),
}

Key = tuple[str | None, str, str | None]


def _message(call: ast.Call) -> Key | None:
    """The (context, msgid, plural) a translation call marks, or None."""
    function = call.func
    name = getattr(function, "id", None) or getattr(function, "attr", None)
    if name not in KEYWORDS:
        return None

    def literal(position: int | None) -> str | None:
        if position is None or position >= len(call.args):
            return None
        argument = call.args[position]
        if isinstance(argument, ast.Constant) and isinstance(argument.value, str):
            return argument.value
        return None

    context_at, msgid_at, plural_at = KEYWORDS[name]
    context, msgid, plural = literal(context_at), literal(msgid_at), literal(plural_at)
    if msgid is None or (context_at is not None and context is None):
        return None
    if plural_at is not None and plural is None:
        return None
    return (context, msgid, plural)


class _PythonMessages(ast.NodeVisitor):
    def __init__(self, origin: str) -> None:
        self.origin = origin
        self.found: dict[Key, str] = {}
        self.in_fstring: list[str] = []
        self._fstring_depth = 0

    def visit_JoinedStr(self, node: ast.JoinedStr) -> None:
        self._fstring_depth += 1
        self.generic_visit(node)
        self._fstring_depth -= 1

    def visit_Call(self, node: ast.Call) -> None:
        key = _message(node)
        if key is not None:
            where = f"{self.origin}:{node.lineno}"
            if self._fstring_depth:
                self.in_fstring.append(f"{where}: {key[1]!r}")
            else:
                self.found.setdefault(key, where)
        self.generic_visit(node)


#: A call in templatize's output: " gettext(u'...') ", " ngettext(...) ", " _(...) ".
_TEMPLATE_CALL = re.compile(r"(?<![\w.])(?:gettext|ngettext|pgettext|npgettext|_)\(")


def _template_messages(text: str, origin: str) -> dict[Key, str]:
    """The messages of a template, read from what makemessages gives xgettext."""
    found: dict[Key, str] = {}
    code = templatize(text, origin=origin)
    for match in _TEMPLATE_CALL.finditer(code):
        end = code.find("\n", match.start())
        rest = code[match.start() : end if end >= 0 else len(code)]
        # templatize writes each call on one line; the call ends at the first ")" that
        # closes it, which may come after ")" inside the strings.
        for close in (i for i, char in enumerate(rest) if char == ")"):
            try:
                call = ast.parse(rest[: close + 1], mode="eval").body
            except SyntaxError:
                continue
            key = _message(call) if isinstance(call, ast.Call) else None
            if key is not None:
                line = code.count("\n", 0, match.start()) + 1
                found.setdefault(key, f"{origin}:{line}")
            break
    return found


def _source_files() -> list[Path]:
    """The files makemessages reads for `make messages`, ignored directories pruned."""
    files = []
    for directory, subdirectories, names in os.walk(ROOT):
        subdirectories[:] = sorted(
            name
            for name in subdirectories
            if not name.startswith(".") and name not in IGNORED_DIRECTORIES
        )
        files += [
            Path(directory, name)
            for name in sorted(names)
            if name.endswith((".py", ".html", ".txt")) and not name.startswith(".")
        ]
    return files


@functools.cache
def source_messages() -> tuple[dict[Key, str], tuple[str, ...]]:
    """Every message the sources mark, with where it is first marked; and the calls
    hidden in f-strings."""
    found: dict[Key, str] = {}
    in_fstring: list[str] = []
    for path in _source_files():
        origin = path.relative_to(ROOT).as_posix()
        text = path.read_text(encoding="utf-8")
        if path.suffix == ".py":
            visitor = _PythonMessages(origin)
            visitor.visit(ast.parse(text, filename=origin))
            marked = visitor.found
            in_fstring += visitor.in_fstring
        else:
            marked = _template_messages(text, origin)
        for key, where in marked.items():
            found.setdefault(key, where)
    # xgettext merges a msgid used both alone and with a plural into the plural entry.
    plurals = {(context, msgid) for context, msgid, plural in found if plural is not None}
    found = {
        key: where
        for key, where in found.items()
        if key[2] is not None or (key[0], key[1]) not in plurals
    }
    return found, tuple(in_fstring)


def test_the_extraction_finds_the_pure_modules_and_the_templates():
    """A guard for the extraction itself: gettext_noop msgids (a country and a month, both
    Msg values), a template and a plural."""
    found, _ = source_messages()
    origins = {where.split(":")[0] for where in found.values()}
    assert {"cpr/countries.py", "cpr/personnummer.py", "templates/base.html"} <= origins
    assert (None, "Tyskland", None) in found
    assert (None, "januar", None) in found
    assert (None, "%(counter)s resultat", "%(counter)s resultater") in found
    assert not any(origin.startswith(("tests/", "bench/")) for origin in origins)


def test_every_translatable_string_in_the_sources_is_in_the_catalogue():
    found, _ = source_messages()
    catalogue = {entry.key for entry in messages()}
    missing = sorted(f"{where}: {key[1]!r}" for key, where in found.items() if key not in catalogue)
    assert not missing, (
        f"{len(missing)} translatable string(s) are not in the English catalogue:\n"
        + "\n".join(missing)
        + "\n"
        + HOW_TO_FIX
    )


def test_the_catalogue_has_no_entries_the_sources_no_longer_use():
    found, _ = source_messages()
    stale = sorted(_where(entry) for entry in messages() if entry.key not in found)
    assert not stale, (
        "The English catalogue has entries no source uses any more:\n"
        + "\n".join(stale)
        + "\nRun `make messages` (it drops obsolete entries) and commit django.po and django.mo."
    )


def test_no_translatable_string_is_inside_an_f_string():
    """xgettext does not look inside f-strings, so such a string is never translated."""
    _, in_fstring = source_messages()
    assert not in_fstring, (
        "Translation calls inside f-strings (call gettext before the f-string):\n"
        + "\n".join(in_fstring)
    )


# --- (d) English end to end ----------------------------------------------------------


def _switch_language(client, language: str) -> None:
    """What the language button in the header does."""
    response = client.post(reverse("set_language"), {"language": language, "next": "/"})
    assert response.status_code == 302


@pytest.fixture
def caseworker_client(client, db):
    jobcentre = JobcentreFactory(municipality_code="101", municipality="København")
    client.force_login(CaseworkerFactory(username="sara", jobcentre=jobcentre))
    return client


@pytest.fixture
def english_client(caseworker_client):
    _switch_language(caseworker_client, "en")
    return caseworker_client


def test_the_ui_is_danish_until_the_user_switches_to_english(caseworker_client):
    home = reverse("registrations:home")
    assert "Søg efter en registrering" in caseworker_client.get(home).content.decode()
    _switch_language(caseworker_client, "en")
    body = caseworker_client.get(home).content.decode()
    assert '<html lang="en">' in body
    assert "Search for a registration" in body and "Søg efter en registrering" not in body
    _switch_language(caseworker_client, "da")
    assert "Søg efter en registrering" in caseworker_client.get(home).content.decode()


def test_home_page_in_english(english_client):
    body = english_client.get(reverse("registrations:home")).content.decode()
    for text in ("New registration", "Search for a registration", "Log out", "Dansk"):
        assert text in body
    assert "Ny registrering" not in body


def test_intake_page_in_english(english_client):
    body = english_client.get(reverse("registrations:intake")).content.decode()
    for text in (
        "Fields marked * are required.",
        "MRZ from passport or ID card",
        "Date of birth",
        "Place of birth",
        "EU/EEA and Switzerland",
        "Poland (EU/EEA)",
        "Allocate personnummer",
    ):
        assert text in body, text
    for text in ("Fødselsdato", "Tildel personnummer", "EU/EØS"):
        assert text not in body, text


def test_a_refusal_is_explained_in_english(english_client):
    response = english_client.post(
        reverse("registrations:intake"),
        intake_post(nationality="US", document_country="US", country_of_birth="US"),
    )
    assert response.status_code == 422
    message = response.context["form"].errors["nationality"][0]
    assert message == (
        "United States citizens cannot get an administrative personnummer: "
        "only EU/EEA and Swiss citizens can."
    )
    body = response.content.decode()
    assert "The person cannot get an administrative personnummer" in body
    assert "Statsborgere" not in body


def test_a_domain_error_renders_in_english_with_its_msg_parameters():
    with pytest.raises(InvalidPersonnummer) as caught:
        parse("310499-1234")
    error = caught.value
    assert error.message == "Dag 31 findes ikke i april 1999."
    with translation.override("en"):
        assert error.message_in(gettext) == "Day 31 does not exist in April 1999."
    with translation.override("da"):
        assert error.message_in(gettext) == "Dag 31 findes ikke i april 1999."


def test_the_warnings_to_confirm_are_listed_in_english(english_client):
    response = english_client.post(
        reverse("registrations:intake"), intake_post(birth_date="1940-01-01")
    )
    body = response.content.decode()
    assert "i.e. over 80" in body  # the checkbox to confirm it is English already
    assert "altså over 80" not in body
