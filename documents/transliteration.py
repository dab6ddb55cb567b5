"""Names as travel documents write them: the MRZ spellings of a name. Pure Python.

A caseworker may type a name from the photo page ("Müller", "Παπαδόπουλος",
"Đorđević", "Иванова") or from the machine readable zone ("MUELLER",
"PAPADOPOULOS", "DJORDJEVIC", "IVANOVA"). :func:`name_keys` gives both the same
key, so the duplicate check finds the person either way, and
:func:`search_forms` / :func:`search_terms` let a search with either spelling
find the other.

Sources of the tables (facts, not prose; see docs/decisions.md §14):

* **Latin** (:data:`LATIN`): ICAO Doc 9303 Part 3, 8th edition 2021 with
  Amendments 1 and 2, §6.A "Transliteration of multinational Latin-based
  characters". Upper-case rows only; text is upper-cased first, so ß becomes SS
  as the row for ẞ says. Where the table gives two or three forms (Ä AE or A,
  Ü UE or UXX or U, Ñ N or NXX …) the issuing State chooses, so both count.
  :data:`LATIN_VARIANTS` adds forms the table does not list and
  :data:`LATIN_EXTRA` letters it does not have; both are ours.
* **Cyrillic** (:data:`CYRILLIC`): Doc 9303 Part 3 §6.B, one table with
  per-language exceptions (:data:`CYRILLIC_EXCEPTIONS`,
  :data:`CYRILLIC_WORD_INITIAL`), read with the corrections in
  :data:`CYRILLIC_ERRATA`. Bulgaria does not use the ICAO column: its passports
  follow the Transliteration Act (ДВ бр. 19/2009) and the ID-document
  Regulation (ПМС 13/2010, App. 1), :data:`BULGARIAN_2009`. Ukraine's national
  table (KMU 55/2010) is the ICAO column plus ЗГ → ZGH.
* **Greek**: Doc 9303 has no Greek table. Greek passports and ID cards write
  names by ELOT 743 (transcription) as the Hellenic Police converter applies
  it: :data:`GREEK`, :data:`GREEK_DIGRAPHS`, :func:`greek_to_mrz`.

How a name becomes its MRZ forms (:func:`mrz_forms`):

* Text is NFC-normalised and upper-cased. Letters are kept; whitespace, hyphens,
  commas, ``<``, digits, symbols and control characters separate words, as
  ``<`` does in the MRZ. Combining marks belong to the letter before them.
* Apostrophes (and the full stop) inside a word: Doc 9303 Part 3 §4.6 drops them
  with no filler (D'ARTAGNAN → DARTAGNAN), but people and older systems type a
  space (O BRIEN), and :func:`documents.names.normalise` splits there. So a
  name with one gives both: ``O'Brien`` → OBRIEN and O BRIEN.
* One document uses one convention throughout, so a choice is made once per
  name, not per letter: every Ä of a name is AE, or every Ä is A; the Cyrillic
  letters of a name are read by one column (each language whose alphabet has
  them all, the Bulgarian Act, or §6.B without exceptions). "Søren Ågård"
  gives SOEREN AAGAARD, SOEREN AGARD, SOREN AAGAARD and SOREN AGARD, not
  AAGARD.
* Text already in MRZ form (A–Z) yields itself.
* A letter no table covers (Arabic, Chinese …, or a Latin letter without a
  decomposition such as Ə) gives the name no MRZ form at all rather than a
  form without that letter: :func:`name_keys` then holds only the key of
  :func:`documents.names.name_key`.
* At most :data:`MAX_FORMS` forms per name, chosen deterministically: first the
  conventions that are the same for every choice (all first forms – AE, OE,
  UE, AA, NXX, DJ –, then all second, …, down to all plain letters), then the
  rest in order. Real names have far fewer; see the test output for figures.
"""

from __future__ import annotations

import functools
import itertools
import math
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from documents.names import name_key, normalise

__all__ = [
    "BULGARIAN_2009",
    "BULGARIAN_2009_WORD_FINAL",
    "CYRILLIC",
    "CYRILLIC_ALPHABETS",
    "CYRILLIC_ERRATA",
    "CYRILLIC_EXCEPTIONS",
    "CYRILLIC_WORD_INITIAL",
    "GREEK",
    "GREEK_DIGRAPHS",
    "LATIN",
    "LATIN_EXTRA",
    "LATIN_VARIANTS",
    "MAX_FORMS",
    "MAX_KEYS",
    "UKRAINIAN_KMU_PAIRS",
    "cyrillic_to_mrz",
    "greek_to_mrz",
    "mrz_forms",
    "name_keys",
    "search_forms",
    "search_terms",
]

#: The most MRZ forms :func:`mrz_forms` gives for one text.
MAX_FORMS = 64
#: The most keys :func:`name_keys` gives for one name: today's key and one per MRZ form.
MAX_KEYS = MAX_FORMS + 1

# --- Latin: Doc 9303 Part 3 §6.A -----------------------------------------------------------

#: Every row of §6.A (95), in the table's order, with the forms in the table's order.
LATIN: dict[str, tuple[str, ...]] = {
    "À": ("A",),
    "Á": ("A",),
    "Â": ("A",),
    "Ã": ("A",),
    "Ä": ("AE", "A"),
    "Å": ("AA", "A"),
    "Æ": ("AE",),
    "Ç": ("C",),
    "È": ("E",),
    "É": ("E",),
    "Ê": ("E",),
    "Ë": ("E",),
    "Ì": ("I",),
    "Í": ("I",),
    "Î": ("I",),
    "Ï": ("I",),
    "Ð": ("D",),
    "Ñ": ("N", "NXX"),
    "Ò": ("O",),
    "Ó": ("O",),
    "Ô": ("O",),
    "Õ": ("O",),
    "Ö": ("OE", "O"),
    "Ø": ("OE",),
    "Ù": ("U",),
    "Ú": ("U",),
    "Û": ("U",),
    "Ü": ("UE", "UXX", "U"),
    "Ý": ("Y",),
    "Þ": ("TH",),
    "Ā": ("A",),
    "Ă": ("A",),
    "Ą": ("A",),
    "Ć": ("C",),
    "Ĉ": ("C",),
    "Ċ": ("C",),
    "Č": ("C",),
    "Ď": ("D",),
    "Đ": ("D",),
    "Ē": ("E",),
    "Ĕ": ("E",),
    "Ė": ("E",),
    "Ę": ("E",),
    "Ě": ("E",),
    "Ĝ": ("G",),
    "Ğ": ("G",),
    "Ġ": ("G",),
    "Ģ": ("G",),
    "Ĥ": ("H",),
    "Ħ": ("H",),
    "Ĩ": ("I",),
    "Ī": ("I",),
    "Ĭ": ("I",),
    "Į": ("I",),
    "İ": ("I",),
    "ı": ("I",),
    "Ĳ": ("IJ",),
    "Ĵ": ("J",),
    "Ķ": ("K",),
    "Ĺ": ("L",),
    "Ļ": ("L",),
    "Ľ": ("L",),
    "Ŀ": ("L",),
    "Ł": ("L",),
    "Ń": ("N",),
    "Ņ": ("N",),
    "Ň": ("N",),
    "Ŋ": ("N",),
    "Ō": ("O",),
    "Ŏ": ("O",),
    "Ő": ("O",),
    "Œ": ("OE",),
    "Ŕ": ("R",),
    "Ŗ": ("R",),
    "Ř": ("R",),
    "Ś": ("S",),
    "Ŝ": ("S",),
    "Ş": ("S",),
    "Š": ("S",),
    "Ţ": ("T",),
    "Ť": ("T",),
    "Ŧ": ("T",),
    "Ũ": ("U",),
    "Ū": ("U",),
    "Ŭ": ("U",),
    "Ů": ("U",),
    "Ű": ("U",),
    "Ų": ("U",),
    "Ŵ": ("W",),
    "Ŷ": ("Y",),
    "Ÿ": ("Y",),
    "Ź": ("Z",),
    "Ż": ("Z",),
    "Ž": ("Z",),
    "ẞ": ("SS",),
}

#: Forms documents use that §6.A does not list for the letter (ours, added after the table's).
#: Ø: the 8th edition gives only OE; Scandinavian practice and older tables also write O.
#: Đ: the table gives D (verified); DJ is Serbian/Croatian practice (unverified for the MRZ;
#: Montenegro's 2008 MRZ rule says D).
LATIN_VARIANTS: dict[str, tuple[str, ...]] = {
    "Ø": ("O",),
    "Đ": ("DJ",),
}

#: Letters that EU names use and §6.A lacks (ours). Romanian Ș and Ț have the comma
#: below (the table lists only the cedilla forms); Gaj's digraph letters; the kra of old
#: Greenlandic. Other Latin letters with a Unicode decomposition lose their marks.
LATIN_EXTRA: dict[str, tuple[str, ...]] = {
    "Ș": ("S",),
    "Ț": ("T",),
    "Ǆ": ("DZ",),
    "ǅ": ("DZ",),
    "Ǉ": ("LJ",),
    "ǈ": ("LJ",),
    "Ǌ": ("NJ",),
    "ǋ": ("NJ",),
    "ĸ": ("K",),
}


def _enumeration_order(forms: tuple[str, ...]) -> tuple[str, ...]:
    """The written-out forms first (AE, NXX, DJ), the plain letter last (A, N, D)."""
    return tuple(sorted(forms, key=lambda form: len(form) == 1))


_LATIN_FORMS: dict[str, tuple[str, ...]] = {
    letter: _enumeration_order(forms + LATIN_VARIANTS.get(letter, ()))
    for letter, forms in (LATIN | LATIN_EXTRA).items()
}

# --- Cyrillic: Doc 9303 Part 3 §6.B --------------------------------------------------------

#: §6.B as printed, the "recommended" column (before the per-language exceptions). Ђ is
#: printed with the glyph of Ћ at Ђ's code; Ѵ is printed as a Latin V.
CYRILLIC: dict[str, str] = {
    "Ё": "E",
    "Ђ": "D",
    "Є": "IE",
    "Ѕ": "DZ",
    "І": "I",
    "Ї": "I",
    "Ј": "J",
    "Љ": "LJ",
    "Њ": "NJ",
    "Ќ": "K",
    "Ў": "U",
    "Џ": "DZ",
    "А": "A",
    "Б": "B",
    "В": "V",
    "Г": "G",
    "Д": "D",
    "Е": "E",
    "Ж": "ZH",
    "З": "Z",
    "И": "I",
    "Й": "I",
    "К": "K",
    "Л": "L",
    "М": "M",
    "Н": "N",
    "О": "O",
    "П": "P",
    "Р": "R",
    "С": "S",
    "Т": "T",
    "У": "U",
    "Ф": "F",
    "Х": "KH",
    "Ц": "TS",
    "Ч": "CH",
    "Ш": "SH",
    "Щ": "SHCH",
    "Ъ": "IE",
    "Ы": "Y",
    "Э": "E",
    "Ю": "IU",
    "Я": "IA",
    "Ѫ": "U",
    "Ѵ": "Y",
    "Ґ": "G",
    "Ғ": "G",
    "Һ": "C",
}

#: Letters §6.B has no row for, as we read them: Ь is left out (as on Russian passports);
#: Ѓ is G (the Macedonian GJ that ICAO prints on Ғ belongs to Ѓ); Ћ is C (Gaj's Ć; no
#: source states it); Ѐ and Ѝ lose their grave.
CYRILLIC_ERRATA: dict[str, str] = {"Ь": "", "Ѓ": "G", "Ћ": "C", "Ѐ": "E", "Ѝ": "I"}

#: §6.B's per-language exceptions. ICAO also prints Г → H for Serbian; Serbian Г is Latin
#: G, so that exception is left out as an error. The Macedonian GJ is moved from Ғ to Ѓ.
CYRILLIC_EXCEPTIONS: dict[str, dict[str, str]] = {
    "be": {"Ё": "IO", "Г": "H"},
    "uk": {"Г": "H", "И": "Y"},
    "bg": {"Щ": "SHT"},
    "sr": {"Ж": "Z", "Х": "H", "Ц": "C", "Ч": "C", "Ш": "S"},
    "mk": {"Ѓ": "GJ", "Ќ": "KJ", "Џ": "DJ", "Х": "H", "Ц": "C"},
}

#: §6.B's Ukrainian "first character" rule, applied to the first letter of each name
#: component, as Ukraine's KMU 55/2010 does (a letter after an apostrophe is not first).
CYRILLIC_WORD_INITIAL: dict[str, dict[str, str]] = {
    "uk": {"Є": "YE", "Ї": "YI", "Й": "Y", "Ю": "YU", "Я": "YA"},
}

#: Ukraine's national table (KMU 55/2010) adds one letter pair to the ICAO column.
UKRAINIAN_KMU_PAIRS: dict[str, str] = {"ЗГ": "ZGH"}

#: The letters of each language, which decide which columns can have written a name.
CYRILLIC_ALPHABETS: dict[str, frozenset[str]] = {
    "ru": frozenset("АБВГДЕЁЖЗИЙКЛМНОПРСТУФХЦЧШЩЪЫЬЭЮЯ"),
    "uk": frozenset("АБВГҐДЕЄЖЗИІЇЙКЛМНОПРСТУФХЦЧШЩЬЮЯ"),
    "be": frozenset("АБВГДЕЁЖЗІЙКЛМНОПРСТУЎФХЦЧШЫЬЭЮЯ"),
    "bg": frozenset("АБВГДЕЖЗИЙКЛМНОПРСТУФХЦЧШЩЪЬЮЯЀЍ"),
    "sr": frozenset("АБВГДЂЕЖЗИЈКЛЉМНЊОПРСТЋУФХЦЧЏШ"),
    "mk": frozenset("АБВГДЃЕЖЗЅИЈКЛЉМНЊОПРСТЌУФХЦЧЏШЀЍ"),
}

#: Bulgaria's Transliteration Act 2009 (Art. 4-6), used in Bulgarian passports and ID cards.
#: Ѝ is not in the Act (I, ours).
BULGARIAN_2009: dict[str, str] = {
    "А": "A",
    "Б": "B",
    "В": "V",
    "Г": "G",
    "Д": "D",
    "Е": "E",
    "Ж": "ZH",
    "З": "Z",
    "И": "I",
    "Й": "Y",
    "К": "K",
    "Л": "L",
    "М": "M",
    "Н": "N",
    "О": "O",
    "П": "P",
    "Р": "R",
    "С": "S",
    "Т": "T",
    "У": "U",
    "Ф": "F",
    "Х": "H",
    "Ц": "TS",
    "Ч": "CH",
    "Ш": "SH",
    "Щ": "SHT",
    "Ъ": "A",
    "Ь": "Y",
    "Ю": "YU",
    "Я": "YA",
    "Ѐ": "E",
    "Ѝ": "I",
}

#: The Act's Art. 5(2): -ИЯ at the end of a word is IA (Мария → MARIA, not MARIYA).
BULGARIAN_2009_WORD_FINAL: dict[str, str] = {"ИЯ": "IA"}


@dataclass(frozen=True, slots=True)
class _Column:
    """One way a State writes Cyrillic in the MRZ."""

    name: str
    alphabet: frozenset[str]
    letters: dict[str, str]
    initial: dict[str, str] = field(default_factory=dict)
    pairs: dict[str, str] = field(default_factory=dict)
    final_pairs: dict[str, str] = field(default_factory=dict)
    #: The column differs from the one before it only for words with one of these letters.
    only_with: frozenset[str] = frozenset()


def _icao(language: str, **overrides: str) -> dict[str, str]:
    return CYRILLIC | CYRILLIC_ERRATA | CYRILLIC_EXCEPTIONS.get(language, {}) | overrides


#: The columns tried, in order. A name is read by each column whose alphabet has all its
#: Cyrillic letters, and by the plain ICAO column.
_COLUMNS: tuple[_Column, ...] = (
    _Column("ru", CYRILLIC_ALPHABETS["ru"], _icao("ru")),
    _Column(
        "uk",
        CYRILLIC_ALPHABETS["uk"],
        _icao("uk"),
        CYRILLIC_WORD_INITIAL["uk"],
        UKRAINIAN_KMU_PAIRS,
    ),
    _Column(
        "uk-icao",
        CYRILLIC_ALPHABETS["uk"],
        _icao("uk"),
        CYRILLIC_WORD_INITIAL["uk"],
        only_with=frozenset("З"),
    ),
    _Column("be", CYRILLIC_ALPHABETS["be"], _icao("be")),
    _Column(
        "bg",
        CYRILLIC_ALPHABETS["bg"],
        BULGARIAN_2009,
        final_pairs=BULGARIAN_2009_WORD_FINAL,
    ),
    _Column("bg-icao", CYRILLIC_ALPHABETS["bg"], _icao("bg")),
    _Column("sr", CYRILLIC_ALPHABETS["sr"], _icao("sr")),
    _Column("sr-dj", CYRILLIC_ALPHABETS["sr"], _icao("sr", Ђ="DJ"), only_with=frozenset("Ђ")),
    _Column("mk", CYRILLIC_ALPHABETS["mk"], _icao("mk")),
)
_COLUMN_BY_NAME: dict[str, _Column] = {column.name: column for column in _COLUMNS}
_ICAO_COLUMN = _Column("icao", frozenset(CYRILLIC | CYRILLIC_ERRATA), _icao(""))
_COLUMN_BY_NAME["icao"] = _ICAO_COLUMN

# --- Greek: ELOT 743 as on Greek passports ---------------------------------------------------

#: ELOT 743 (transcription) single letters, as the Hellenic Police converter writes them.
GREEK: dict[str, str] = {
    "Α": "A",
    "Β": "V",
    "Γ": "G",
    "Δ": "D",
    "Ε": "E",
    "Ζ": "Z",
    "Η": "I",
    "Θ": "TH",
    "Ι": "I",
    "Κ": "K",
    "Λ": "L",
    "Μ": "M",
    "Ν": "N",
    "Ξ": "X",
    "Ο": "O",
    "Π": "P",
    "Ρ": "R",
    "Σ": "S",
    "Τ": "T",
    "Υ": "Y",
    "Φ": "F",
    "Χ": "CH",
    "Ψ": "PS",
    "Ω": "O",
}

#: Letter pairs written as one: a tonos on the first letter or a dialytika on the second
#: keeps the letters apart (ΆΥ, ΑΫ). ΑΥ, ΕΥ, ΗΥ and ΜΠ depend on their neighbours and
#: are in :data:`_GREEK_V_OR_F` and :func:`_greek_mp`.
GREEK_DIGRAPHS: dict[str, str] = {
    "ΑΙ": "AI",
    "ΟΙ": "OI",
    "ΕΙ": "EI",
    "ΟΥ": "OU",
    "ΝΤ": "NT",
    "ΤΣ": "TS",
    "ΤΖ": "TZ",
    "ΓΓ": "NG",
    "ΓΚ": "GK",
    "ΓΧ": "NCH",
    "ΓΞ": "NX",
}
#: ΑΥ, ΕΥ, ΗΥ: V before a vowel or a voiced consonant, F before anything else or at the end.
_GREEK_V_OR_F: dict[str, str] = {"ΑΥ": "A", "ΕΥ": "E", "ΗΥ": "I"}
_GREEK_BEFORE_V = frozenset("ΑΕΗΙΟΥΩΒΓΔΖΛΜΝΡ")
_ACCENTS = frozenset("\u0301\u0300\u0342")  # tonos/oxia, varia, perispomeni
_DIAERESIS = "\u0308"

# --- Words ---------------------------------------------------------------------------------

#: Marks that Doc 9303 §4.6 drops without a filler, inside a word.
_JOINERS = frozenset("'’ʼ‘`´ʹʻ′.")
_AZ = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ")


@dataclass(frozen=True, slots=True)
class _Letter:
    """One letter of a word, upper case, with what its marks mean for Greek."""

    char: str
    script: str  # "latin", "greek" or "cyrillic"
    accent: bool = False
    diaeresis: bool = False


def _script(char: str) -> str:
    code = ord(char)
    if 0x0370 <= code <= 0x03FF or 0x1F00 <= code <= 0x1FFF:
        return "greek"
    if 0x0400 <= code <= 0x052F or 0x1C80 <= code <= 0x1C8F or 0xA640 <= code <= 0xA69F:
        return "cyrillic"
    return "latin"


@functools.lru_cache(maxsize=4096)
def _letter(char: str, marks: str) -> _Letter:
    script = _script(char)
    if script != "greek":
        return _Letter(char, script)
    decomposed = unicodedata.normalize("NFKD", char)
    marks = decomposed[1:] + marks
    return _Letter(
        decomposed[0],
        "greek",
        accent=any(mark in _ACCENTS for mark in marks),
        diaeresis=_DIAERESIS in marks,
    )


def _words(text: str) -> list[list[str]]:
    """The words of ``text``, each a list of pieces (split where an apostrophe stood).

    Pieces are upper case and NFC, letters with their combining marks.
    """
    text = unicodedata.normalize("NFC", unicodedata.normalize("NFC", text).upper())
    words: list[list[str]] = []
    word: list[str] = []
    piece: list[str] = []
    for char in text:
        category = unicodedata.category(char)
        if char in _JOINERS:
            if piece:
                word.append("".join(piece))
                piece = []
        elif category[0] == "L" or (category[0] == "M" and piece):
            piece.append(char)
        elif category[0] != "M":
            if piece:
                word.append("".join(piece))
                piece = []
            if word:
                words.append(word)
                word = []
    if piece:
        word.append("".join(piece))
    if word:
        words.append(word)
    return words


@functools.lru_cache(maxsize=65536)
def _letters(word: str) -> tuple[_Letter, ...]:
    """The letters of a word (upper case, NFC), combining marks folded into them."""
    out: list[_Letter] = []
    index = 0
    while index < len(word):
        end = index + 1
        while end < len(word) and unicodedata.category(word[end])[0] == "M":
            end += 1
        out.append(_letter(word[index], word[index + 1 : end]))
        index = end
    return tuple(out)


@functools.lru_cache(maxsize=4096)
def _latin_letter(char: str) -> tuple[str, ...] | None:
    """The MRZ forms of one upper-case Latin letter, or ``None`` if there are none."""
    if char in _AZ:
        return (char,)
    if char in _LATIN_FORMS:
        return _LATIN_FORMS[char]
    decomposed = unicodedata.normalize("NFKD", char)
    bases = [base for base in decomposed if not unicodedata.combining(base)]
    if not bases or bases == [char]:
        return None
    out = ""
    for base in "".join(bases).upper():
        forms = _latin_letter(base)
        if forms is None:
            return None
        out += forms[-1]
    return (out,)


def _runs(letters: tuple[_Letter, ...]) -> Iterator[tuple[str, int, int]]:
    """(script, start, end) of each run of letters of one script."""
    start = 0
    for index in range(1, len(letters) + 1):
        if index == len(letters) or letters[index].script != letters[start].script:
            yield letters[start].script, start, index
            start = index


# --- Rendering -----------------------------------------------------------------------------


def _greek_mp(letters: tuple[_Letter, ...], index: int, start: int, end: int) -> str:
    """ΜΠ is B at the start or end of a word, MP between two letters."""
    return "MP" if start < index and index + 2 < end else "B"


def _greek_pair(letters: tuple[_Letter, ...], index: int, start: int, end: int) -> str | None:
    """The MRZ form of the Greek letter pair at ``index``, or ``None`` if it is no pair."""
    if index + 1 >= end or letters[index].accent or letters[index + 1].diaeresis:
        return None
    pair = letters[index].char + letters[index + 1].char
    if pair in GREEK_DIGRAPHS:
        return GREEK_DIGRAPHS[pair]
    if pair == "ΜΠ":
        return _greek_mp(letters, index, start, end)
    if pair in _GREEK_V_OR_F:
        voiced = index + 2 < end and letters[index + 2].char in _GREEK_BEFORE_V
        return _GREEK_V_OR_F[pair] + ("V" if voiced else "F")
    return None


def _greek_run(letters: tuple[_Letter, ...], start: int, end: int) -> str | None:
    out: list[str] = []
    index = start
    while index < end:
        pair = _greek_pair(letters, index, start, end)
        if pair is not None:
            out.append(pair)
            index += 2
            continue
        single = GREEK.get(letters[index].char)
        if single is None:
            return None
        out.append(single)
        index += 1
    return "".join(out)


def _cyrillic_run(
    letters: tuple[_Letter, ...], start: int, end: int, column: _Column, word_end: int
) -> str | None:
    out: list[str] = []
    index = start
    while index < end:
        pair = "".join(letter.char for letter in letters[index : index + 2])
        if pair in column.pairs:
            out.append(column.pairs[pair])
            index += 2
            continue
        if pair in column.final_pairs and index + 2 == word_end:
            out.append(column.final_pairs[pair])
            index += 2
            continue
        char = letters[index].char
        form = column.initial.get(char) if index == 0 else None
        form = form if form is not None else column.letters.get(char)
        if form is None:
            return None
        out.append(form)
        index += 1
    return "".join(out)


def _latin_run(letters: tuple[_Letter, ...], start: int, end: int, choice: dict[str, int]) -> str:
    out: list[str] = []
    for letter in letters[start:end]:
        forms = _LATIN_FORMS.get(letter.char) or _latin_letter(letter.char) or ("",)
        out.append(forms[min(choice.get(letter.char, 0), len(forms) - 1)])
    return "".join(out)


@functools.lru_cache(maxsize=65536)
def _render(word: str, column: str, latin: tuple[tuple[str, int], ...]) -> str | None:
    """A word in MRZ form by one Cyrillic column and one form of each Latin letter."""
    letters = _letters(word)
    choice = dict(latin)
    out: list[str] = []
    for script, start, end in _runs(letters):
        if script == "latin":
            out.append(_latin_run(letters, start, end, choice))
            continue
        if script == "greek":
            part = _greek_run(letters, start, end)
        else:
            part = _cyrillic_run(letters, start, end, _COLUMN_BY_NAME[column], len(letters))
        if part is None:
            return None
        out.append(part)
    return "".join(out)


# --- Choices -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _WordFacts:
    """What in a word can be written more than one way."""

    ok: bool  # every letter has an MRZ form (before choosing a Cyrillic column)
    latin: tuple[str, ...]  # Latin letters with more than one form, in order
    cyrillic: frozenset[str]


@functools.lru_cache(maxsize=65536)
def _facts(word: str) -> _WordFacts:
    latin: list[str] = []
    cyrillic: set[str] = set()
    ok = True
    for letter in _letters(word):
        if letter.script == "cyrillic":
            cyrillic.add(letter.char)
            ok = ok and letter.char in _ICAO_COLUMN.letters
        elif letter.script == "greek":
            ok = ok and letter.char in GREEK
        else:
            forms = _latin_letter(letter.char)
            ok = ok and forms is not None
            if forms is not None and len(forms) > 1 and letter.char not in latin:
                latin.append(letter.char)
    return _WordFacts(ok, tuple(latin), frozenset(cyrillic))


def _columns(cyrillic: frozenset[str]) -> tuple[str, ...]:
    """The Cyrillic columns that can have written a name with these letters: each language
    whose alphabet has them all, and ICAO's column without exceptions (for a name of no
    one language, and so that each word of a name has the forms the whole name has)."""
    if not cyrillic:
        return ("",)
    names = tuple(
        column.name
        for column in _COLUMNS
        if cyrillic <= column.alphabet and (not column.only_with or column.only_with & cyrillic)
    )
    return (*names, "icao")


def _choices(words: list[list[str]]) -> list[tuple[str, tuple]]:
    """The name's choice points, each (what, its options): joining at apostrophes or not,
    the Cyrillic column, and each Latin letter with more than one form."""
    pieces = [piece for word in words for piece in word]
    latin: dict[str, None] = {}
    cyrillic: set[str] = set()
    for piece in pieces:
        facts = _facts(piece)
        latin.update(dict.fromkeys(facts.latin))
        cyrillic |= facts.cyrillic
    choices: list[tuple[str, tuple]] = []
    if any(len(word) > 1 for word in words):
        choices.append(("join", (True, False)))
    choices.append(("column", _columns(frozenset(cyrillic))))
    # Sorted, so that the order of the names does not change which forms a cap keeps.
    choices.extend((letter, tuple(range(len(_LATIN_FORMS[letter])))) for letter in sorted(latin))
    return choices


def _conventions(sizes: list[int]) -> Iterator[tuple[int, ...]]:
    """Index tuples: the same index for every choice first (0, 1, … each capped by its
    size), then every combination in order."""
    same = [tuple(min(index, size - 1) for size in sizes) for index in range(max(sizes))]
    yield from same
    if len(same) < math.prod(sizes):
        yield from (c for c in itertools.product(*map(range, sizes)) if c not in same)


def _form(words: list[list[str]], chosen: dict[str, object]) -> str | None:
    column = str(chosen["column"])
    out: list[str] = []
    for word in words:
        pieces = ["".join(word)] if chosen.get("join", True) else word
        for piece in pieces:
            latin = tuple((letter, int(chosen[letter])) for letter in _facts(piece).latin)
            rendered = _render(piece, column, latin)
            if rendered is None:
                return None
            if rendered:
                out.append(rendered)
    return " ".join(out)


@functools.lru_cache(maxsize=16384)
def _forms(text: str) -> tuple[str, ...]:
    """The MRZ forms of a text, in the order of preference, at most :data:`MAX_FORMS`."""
    words = _words(text)
    if not words or not all(_facts(piece).ok for word in words for piece in word):
        return ()
    choices = _choices(words)
    sizes = [len(options) for _, options in choices]
    found: dict[str, None] = {}
    for indexes in itertools.islice(_conventions(sizes), 16 * MAX_FORMS):
        chosen = {what: options[i] for (what, options), i in zip(choices, indexes, strict=True)}
        form = _form(words, chosen)
        if form:
            found[form] = None
            if len(found) == MAX_FORMS:
                break
    return tuple(found)


# --- The interface -------------------------------------------------------------------------


def mrz_forms(text: str) -> frozenset[str]:
    """Every MRZ spelling (A-Z, words separated by one space) ``text`` can have on a document.

    At most :data:`MAX_FORMS`; empty when ``text`` has no letters or a letter no table
    covers. Text in MRZ form gives itself: ``mrz_forms("MUELLER") == {"MUELLER"}``.
    """
    return frozenset(_forms(text))


def _key(form: str) -> str:
    return " ".join(sorted(form.lower().split()))


def name_keys(surname: str, given_names: str) -> frozenset[str]:
    """The order-free keys one person's name can have, whichever spelling was typed.

    Two spellings of one name (the photo page's and the MRZ's) share at least one key.
    Each key is lower case, the words sorted and joined by one space, as
    :func:`documents.names.name_key` makes it; that function's key is always one of
    them (when it is not empty). At most :data:`MAX_KEYS`: today's key first, then
    the MRZ forms in :func:`mrz_forms`'s order of preference.
    """
    keys: dict[str, None] = {}
    today = name_key(surname, given_names)
    if today:
        keys[today] = None
    for form in _forms(f"{surname} {given_names}"):
        keys[_key(form)] = None
        if len(keys) >= MAX_KEYS:
            break
    return frozenset(itertools.islice(keys, MAX_KEYS))


@functools.lru_cache(maxsize=65536)
def _word_forms(word: str) -> tuple[str, ...]:
    """Lower-case words of every MRZ form of one word, and of today's normalised form."""
    found: dict[str, None] = dict.fromkeys(normalise(word).split())
    for form in _forms(word):
        found.update(dict.fromkeys(form.lower().split()))
    return tuple(found)


def _text_words(text: str) -> Iterable[str]:
    return ("'".join(word) for word in _words(text))


def search_forms(text: str) -> str:
    """Every distinct word form of a name, lower case, separated by one space.

    For the search index: a search whose every word is contained in this text finds
    the name by any of its spellings. Begins with :func:`documents.names.normalise`'s
    words (each once); ``""`` for text without letters.
    """
    found: dict[str, None] = dict.fromkeys(normalise(text).split())
    for form in _forms(text):
        found.update(dict.fromkeys(form.lower().split()))
    for word in _text_words(text):
        found.update(dict.fromkeys(_word_forms(word)))
    return " ".join(found)


def _vanishes(piece: str) -> bool:
    """Whether some document may leave the whole piece out (Ь by ICAO's columns)."""
    facts = _facts(piece)
    return facts.ok and any(_render(piece, c, ()) == "" for c in _columns(facts.cyrillic))


def search_terms(text: str) -> tuple[frozenset[str], ...]:
    """What a search for ``text`` looks for: per name component typed, the forms (lower
    case) one of which must be contained in the name's :func:`search_forms`.

    A query "Müller" looks for "mueller", "muller" or "muxxller", so it finds a name
    stored from the MRZ as MUELLER. Components are split at apostrophes too (as
    :func:`documents.names.normalise` does), so "O'Brien" finds OBRIEN, O'BRIEN and
    O BRIEN: every part of a joined form is contained in it. A component that the MRZ
    leaves out altogether (a lone Ь) asks for nothing.
    """
    terms: list[frozenset[str]] = []
    for word in _words(text):
        for piece in word:
            if _vanishes(piece):
                continue
            forms = {form.lower() for form in _forms(piece)}
            forms.add(normalise(piece).replace(" ", ""))
            forms.discard("")
            if forms:
                terms.append(frozenset(forms))
    return tuple(terms)


def greek_to_mrz(text: str) -> str:
    """Greek text by ELOT 743 as the Hellenic Police converter writes it (words separated by
    one space, apostrophes dropped); ``""`` if a letter has no MRZ form."""
    rendered = [_render("".join(word), "icao", ()) for word in _words(text)]
    if any(part is None for part in rendered):
        return ""
    return " ".join(part for part in rendered if part)


def cyrillic_to_mrz(text: str, column: str) -> frozenset[str]:
    """Cyrillic text by one column, apostrophes dropped (§4.6).

    ``column`` is ``"ru"``, ``"uk"``, ``"be"``, ``"bg-icao"``, ``"sr"`` or ``"mk"`` (Doc 9303
    §6.B with that language's exceptions), ``"icao"`` (§6.B without exceptions) or ``"bg"``
    (the Bulgarian Transliteration Act 2009). Both forms where the column has two
    (Ukrainian ЗГ: ZGH by KMU 55/2010 and ZH by ICAO; Serbian Ђ: D and DJ); empty if a
    letter has no form in the column.
    """
    if column not in _COLUMN_BY_NAME:
        raise ValueError(f"unknown Cyrillic column {column!r}")
    names = [column, *(c.name for c in _COLUMNS if c.only_with and c.name.startswith(column + "-"))]
    found: set[str] = set()
    for name in names:
        rendered = [_render("".join(word), name, ()) for word in _words(text)]
        if all(part is not None for part in rendered):
            found.add(" ".join(part for part in rendered if part))
    return frozenset(found)
