"""How far a typed name is from a stored one, in typing slips. Pure Python.

A slip is one letter dropped, added or changed, or two neighbours swapped (the
Damerau–Levenshtein distance, computed by rapidfuzz). A search that finds nobody
exactly looks for names where every part typed is within one slip of some word of the
stored name (or contained in one), so "Mete Nilsen" finds Mette Nielsen.

On PostgreSQL the candidates come from the deletion keys of the words (a word and
each form of it with one letter left out, the "symmetric delete" of SymSpell): two
words one slip apart always share a key, which trigrams cannot promise for short
words ("Lund" typed "Lnud" shares one trigram of five). Two slips in one part are not
looked for: the keys for them would be several times as many, and trigrams miss most of
them too ("Nilsne" shares two of seven with "Nielsen"). Those keys are made by the
SQL function the migration ``registrations 0011`` creates; :func:`deletion_keys` is
the same rule in Python, and a test holds the two equal.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from rapidfuzz.distance import DamerauLevenshtein

__all__ = ["MAX_SLIPS", "MIN_KEY_LENGTH", "as_typed", "deletion_keys", "nearest", "slips"]

#: Keys shorter than this are left out: one or no letter says nothing about a name.
MIN_KEY_LENGTH = 2
#: The slips a part typed may hold: one, which is what the deletion keys always find.
MAX_SLIPS = 1


def deletion_keys(text: str) -> frozenset[str]:
    """Each word of ``text`` (split at spaces) and each of its forms with one letter left out,
    those of at least :data:`MIN_KEY_LENGTH` letters."""
    keys: set[str] = set()
    for word in text.split(" "):
        keys.add(word)
        keys.update(word[:i] + word[i + 1 :] for i in range(len(word)))
    return frozenset(key for key in keys if len(key) >= MIN_KEY_LENGTH)


def as_typed(terms: Iterable[frozenset[str]], name: str) -> bool:
    """Whether every part typed is, in one of its spellings, a whole word of ``name``."""
    words = set(name.split())
    return all(not forms.isdisjoint(words) for forms in terms)


def slips(terms: Iterable[frozenset[str]], name: str) -> int | None:
    """The fewest slips that take every typed part to a word of ``name``, or ``None`` when a
    part is more than :data:`MAX_SLIPS` from every word.

    ``terms`` holds, per part typed, its spellings (as
    :func:`documents.transliteration.search_terms` gives them, lower case); ``name`` is the
    stored name's words (its search forms). A part contained in a word counts as no slip, as
    the exact search has it: "micall" is the start of "micallef".
    """
    words = name.split()
    total = 0
    for forms in terms:
        best = None
        for form in forms:
            for word in words:
                if form in word:
                    distance = 0
                else:
                    distance = DamerauLevenshtein.distance(form, word, score_cutoff=MAX_SLIPS)
                    if distance > MAX_SLIPS:
                        continue
                if best is None or distance < best:
                    best = distance
                if best == 0:
                    break
            if best == 0:
                break
        if best is None:
            return None
        total += best
    return total


def nearest(
    terms: tuple[frozenset[str], ...],
    rows: Iterable[tuple[int, str, datetime]],
    *,
    limit: int,
) -> list[int]:
    """The ids of the ``limit`` rows ``(id, name, created)`` nearest to ``terms``: fewest
    slips first, then the newest. A row given twice counts once."""
    scored = []
    seen: set[int] = set()
    known: dict[str, int | None] = {}  # namesakes are many: each name is weighed once
    for pk, name, created in rows:
        if pk in seen:
            continue
        seen.add(pk)
        if name in known:
            distance = known[name]
        else:
            distance = known[name] = slips(terms, name)
        if distance is not None:
            scored.append((distance, -created.timestamp(), -pk))
    scored.sort()
    return [-pk for _, _, pk in scored[:limit]]
