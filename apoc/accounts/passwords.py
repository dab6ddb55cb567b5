"""Staff passwords: refused when they are easy to guess.

:class:`GuessableValidator` asks zxcvbn (Dropbox's estimator, in its Rust port
zxcvbn-rs through the zxcvbn-rs-py bindings, MIT) how many guesses a password
takes, with the user's own names and a list of Danish words
(:mod:`apoc.accounts.password_words`) as extra dictionary words. zxcvbn finds
repeats ("aaaaaaaaaaaa"), sequences ("abcdefghijkl", "123456789012"), keyboard
rows, dates and years, leaked passwords, dictionary words with capitals, l33t
and reversals, and combinations of these ("Sommer2026!!"). Its score is 0-4; 4
means at least 10^10 guesses, which is what APOC asks of staff, whose accounts
see personnumre. It is configured in ``AUTH_PASSWORD_VALIDATORS``.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from zxcvbn_rs_py import Suggestion, Warning, zxcvbn

from .password_words import DANISH_WORDS

__all__ = ["GuessableValidator"]

#: Only the start of a longer password is analysed: it bounds the work, and
#: what follows can only make the password harder to guess.
ANALYSED_LENGTH = 256

_WARNINGS = (
    (Warning.StraightRowsOfKeysAreEasyToGuess, gettext_lazy("Rækker af taster er lette at gætte.")),
    (
        Warning.ShortKeyboardPatternsAreEasyToGuess,
        gettext_lazy("Korte mønstre på tastaturet er lette at gætte."),
    ),
    (
        Warning.RepeatsLikeAaaAreEasyToGuess,
        gettext_lazy("Gentagelser som »aaa« er lette at gætte."),
    ),
    (
        Warning.RepeatsLikeAbcAbcAreOnlySlightlyHarderToGuess,
        gettext_lazy("Gentagelser som »abcabcabc« er kun lidt sværere at gætte end »abc«."),
    ),
    (Warning.ThisIsATop10Password, gettext_lazy("Det er en af de 10 mest brugte adgangskoder.")),
    (Warning.ThisIsATop100Password, gettext_lazy("Det er en af de 100 mest brugte adgangskoder.")),
    (Warning.ThisIsACommonPassword, gettext_lazy("Det er en meget brugt adgangskode.")),
    (
        Warning.ThisIsSimilarToACommonlyUsedPassword,
        gettext_lazy("Den ligner en meget brugt adgangskode."),
    ),
    (
        Warning.SequencesLikeAbcAreEasyToGuess,
        gettext_lazy("Rækkefølger som »abc« eller »6543« er lette at gætte."),
    ),
    (
        Warning.RecentYearsAreEasyToGuess,
        gettext_lazy("Årstal fra de seneste år er lette at gætte."),
    ),
    (Warning.AWordByItselfIsEasyToGuess, gettext_lazy("Et enkelt ord er let at gætte.")),
    (Warning.DatesAreOftenEasyToGuess, gettext_lazy("Datoer er ofte lette at gætte.")),
    (
        Warning.NamesAndSurnamesByThemselvesAreEasyToGuess,
        gettext_lazy("Fornavne og efternavne alene er lette at gætte."),
    ),
    (
        Warning.CommonNamesAndSurnamesAreEasyToGuess,
        gettext_lazy("Almindelige for- og efternavne er lette at gætte."),
    ),
)

_SUGGESTIONS = (
    (
        Suggestion.UseAFewWordsAvoidCommonPhrases,
        gettext_lazy("Brug nogle ord, men undgå kendte vendinger."),
    ),
    (Suggestion.AddAnotherWordOrTwo, gettext_lazy("Tilføj et ord eller to; sjældne ord er bedst.")),
    (
        Suggestion.CapitalizationDoesntHelpVeryMuch,
        gettext_lazy("Store bogstaver hjælper ikke meget."),
    ),
    (
        Suggestion.AllUppercaseIsAlmostAsEasyToGuessAsAllLowercase,
        gettext_lazy("Kun store bogstaver er næsten lige så let at gætte som kun små."),
    ),
    (
        Suggestion.ReversedWordsArentMuchHarderToGuess,
        gettext_lazy("Ord skrevet baglæns er ikke meget sværere at gætte."),
    ),
    (
        Suggestion.PredictableSubstitutionsDontHelpVeryMuch,
        gettext_lazy("Forudsigelige erstatninger som »@« for »a« hjælper ikke meget."),
    ),
    (
        Suggestion.UseALongerKeyboardPatternWithMoreTurns,
        gettext_lazy("Brug et længere mønster på tastaturet med flere sving."),
    ),
    (
        Suggestion.AvoidRepeatedWordsAndCharacters,
        gettext_lazy("Undgå gentagne ord og tegn."),
    ),
    (Suggestion.AvoidSequences, gettext_lazy("Undgå rækkefølger.")),
    (Suggestion.AvoidRecentYears, gettext_lazy("Undgå årstal fra de seneste år.")),
    (
        Suggestion.AvoidYearsThatAreAssociatedWithYou,
        gettext_lazy("Undgå årstal, der har med dig at gøre."),
    ),
    (
        Suggestion.AvoidDatesAndYearsThatAreAssociatedWithYou,
        gettext_lazy("Undgå datoer og årstal, der har med dig at gøre."),
    ),
)


def _text(value: Any, table: tuple[tuple[Any, Any], ...]) -> str | None:
    # zxcvbn-rs-py's enum members compare equal but cannot be hashed.
    return next((str(text) for member, text in table if member == value), None)


def _user_words(user: Any) -> list[str]:
    """The user's own names, which zxcvbn should treat as the first words it tries."""
    if user is None:
        return []
    words = [
        getattr(user, "username", ""),
        getattr(user, "first_name", ""),
        getattr(user, "last_name", ""),
        (getattr(user, "email", "") or "").split("@")[0],
    ]
    jobcentre = getattr(user, "jobcentre", None)
    if jobcentre is not None:
        words += [jobcentre.municipality, jobcentre.name]
    out: list[str] = []
    for word in words:
        if word:
            out += [word.lower(), *word.lower().replace(".", " ").replace("-", " ").split()]
    return list(dict.fromkeys(out))


class GuessableValidator:
    """Refuses a password that zxcvbn scores below ``min_score`` (0-4)."""

    def __init__(self, min_score: int = 4) -> None:
        if not 0 <= min_score <= 4:
            raise ValueError("min_score is zxcvbn's score, 0 to 4")
        self.min_score = min_score

    def validate(self, password: str, user: Any = None) -> None:
        result = zxcvbn(password[:ANALYSED_LENGTH], [*_user_words(user), *DANISH_WORDS])
        if int(result.score) >= self.min_score:
            return
        reasons = []
        feedback = result.feedback
        if feedback is not None:
            warning = _text(feedback.warning, _WARNINGS)
            reasons = [warning] if warning else []
            reasons += [t for s in feedback.suggestions if (t := _text(s, _SUGGESTIONS))]
        if not reasons:  # zxcvbn explains only the weakest (score 0-2)
            reasons = [_("Gør den længere med et ord mere, som ikke hører sammen med de andre.")]
        message = " ".join([_("Adgangskoden er for let at gætte."), *reasons])
        raise ValidationError(message, code="password_too_guessable")

    def get_help_text(self) -> str:
        return _(
            "Adgangskoden må ikke være let at gætte: undgå gentagelser, rækkefølger, "
            "årstider, måneder og årstal og kendte adgangskoder. Flere ord, som ikke hører "
            "sammen, er en god adgangskode."
        )
