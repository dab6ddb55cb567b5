"""jobnet/letter_texts/: one translation per language the caseworker can choose.

Every translation is rendered and read back with pypdf. The expected sentences
and dates are written out here, not read from the files, so that a file that
loses or garbles its text fails.
"""

from datetime import date

import pytest
from reportlab.pdfbase.pdfmetrics import stringWidth

from apoc.accounts.contact import parse_opening_hours
from jobnet import letters
from jobnet.letters import (
    WINDOW,
    WINDOW_RISK,
    Credentials,
    available_languages,
    letter_languages,
    render_letter,
)
from registrations.models import LETTER_LANGUAGES
from tests.jobnet.factories import LetterDataFactory
from tests.jobnet.pdf import chunks, flat, page_texts, printed_credentials

CREDENTIALS = Credentials(username="bavetumi47", password="k7ma3ub9hd4e8hrn")
LETTER_DATE = date(2026, 11, 29)

# For each language: its subject, one sentence of its body, 29 November 2026 as
# it prints the date, and letters of its own alphabet that must come out of the
# PDF unchanged.
EXPECTED = {
    "da": (
        "Dit brugernavn og din adgangskode til Jobnet",
        "Vis ikke brevet til andre.",
        "29. november 2026",
        "æøå",
    ),
    "en": (
        "Your username and password for Jobnet",
        "Do not show this letter to anyone else.",
        "29 November 2026",
        "",
    ),
    "de": (
        "Ihr Benutzername und Ihr Passwort für Jobnet",
        "Zeigen Sie diesen Brief niemandem.",
        "29. November 2026",
        "äüß",
    ),
    "pl": (
        "Twoja nazwa użytkownika i hasło do Jobnet",
        "Nie pokazuj tego listu nikomu.",
        "29 listopada 2026",
        "ąęłśżź",
    ),
    "ro": (
        "Numele dumneavoastră de utilizator și parola pentru Jobnet",
        "Nu arătați această scrisoare altor persoane.",
        "29 noiembrie 2026",
        "ăâîșț",
    ),
    "lt": (
        "Jūsų Jobnet naudotojo vardas ir slaptažodis",
        "Nerodykite šio laiško kitiems.",
        "2026 m. lapkričio 29 d.",
        "ąėęįšūž",
    ),
    "lv": (
        "Jūsu Jobnet lietotājvārds un parole",
        "Nerādiet šo vēstuli citiem.",
        "2026. gada 29. novembris",
        "āēīūļņš",
    ),
    "et": (
        "Teie Jobneti kasutajanimi ja parool",
        "Ärge näidake seda kirja teistele.",
        "29. november 2026",
        "äõöü",
    ),
    "bg": (
        "Вашето потребителско име и парола за Jobnet",
        "Не показвайте това писмо на други хора.",
        "29 ноември 2026 г.",
        "бжщъю",
    ),
    "hu": (
        "Az Ön Jobnet-felhasználóneve és jelszava",
        "Ne mutassa meg ezt a levelet másoknak.",
        "2026. november 29.",
        "őűáé",
    ),
    "cs": (
        "Vaše uživatelské jméno a heslo do Jobnetu",
        "Tento dopis nikomu neukazujte.",
        "29. listopadu 2026",
        "čěřšůž",
    ),
    "sk": (
        "Vaše používateľské meno a heslo do Jobnetu",
        "Tento list nikomu neukazujte.",
        "29. novembra 2026",
        "čľňôž",
    ),
    "sl": (
        "Vaše uporabniško ime in geslo za Jobnet",
        "Tega pisma ne pokažite nikomur.",
        "29. novembra 2026",
        "čšž",
    ),
    "hr": (
        "Vaše korisničko ime i lozinka za Jobnet",
        "Ne pokazujte ovo pismo drugima.",
        "29. studenoga 2026.",
        "čćšž",
    ),
    "el": (
        "Το όνομα χρήστη και ο κωδικός πρόσβασής σας για το Jobnet",
        "Μη δείξετε αυτή την επιστολή σε κανέναν.",
        "29 Νοεμβρίου 2026",
        "αβγδλξπςωάέήίόύώ",
    ),
    "it": (
        "Il Suo nome utente e la Sua password per Jobnet",
        "Non mostri questa lettera ad altri.",
        "29 novembre 2026",
        "àèé",
    ),
    "es": (
        "Su nombre de usuario y su contraseña para Jobnet",
        "No muestre esta carta a nadie.",
        "29 de noviembre de 2026",
        "ñáéíóú",
    ),
    "pt": (
        "O seu nome de utilizador e palavra-passe para o Jobnet",
        "Não mostre esta carta a ninguém.",
        "29 de novembro de 2026",
        "ãçéó",
    ),
    "fr": (
        "Votre nom d’utilisateur et votre mot de passe pour Jobnet",
        "Ne montrez cette lettre à personne.",
        "29 novembre 2026",
        "àéèê",
    ),
    "nl": (
        "Uw gebruikersnaam en wachtwoord voor Jobnet",
        "Laat deze brief aan niemand anders zien.",
        "29 november 2026",
        "",
    ),
    "fi": (
        "Käyttäjätunnuksenne ja salasananne Jobnetiin",
        "Älkää näyttäkö tätä kirjettä muille.",
        "29. marraskuuta 2026",
        "äö",
    ),
    "sv": (
        "Ditt användarnamn och lösenord till Jobnet",
        "Visa inte brevet för någon annan.",
        "29 november 2026",
        "åäö",
    ),
    "nb": (
        "Brukernavnet og passordet ditt til Jobnet",
        "Ikke vis brevet til andre.",
        "29. november 2026",
        "æøå",
    ),
    "is": (
        "Notandanafn þitt og lykilorð fyrir Jobnet",
        "Ekki sýna öðrum þetta bréf.",
        "29. nóvember 2026",
        "þðæöáý",
    ),
    "mt": (
        "L-isem tal-utent u l-password tiegħek għal Jobnet",
        "Turix din l-ittra lil ħaddieħor.",
        "29 ta’ Novembru 2026",
        "ħġżċĠ",
    ),
    "ga": (
        "D’ainm úsáideora agus do phasfhocal do Jobnet",
        "Ná taispeáin an litir seo d’aon duine eile.",
        "29 Samhain 2026",
        "áéíóú",
    ),
}

TRANSLATIONS = sorted(set(EXPECTED) - set(letters.BASE_LANGUAGES))

# The words of a long address and of the longest jobcentre name (Ringkøbing-Skjern).
LONG_NAME = "Maria-Magdalena Alexandra Constantinescu-Wiśniewska-Papadopoulou"
LONG_JOBCENTRE = "Jobcenter Ringkøbing-Skjern"


def render(**overrides) -> bytes:
    overrides.setdefault("letter_date", LETTER_DATE)
    return render_letter(LetterDataFactory(**overrides), CREDENTIALS)


@pytest.fixture(scope="module", params=TRANSLATIONS)
def translated(request) -> tuple[str, bytes]:
    return request.param, render(language=request.param)


def texts_of(code: str) -> list[str]:
    """Every string of one translation file, the months and steps included."""
    table = letters._catalogue()[code]
    return [s for value in table.values() for s in (value if isinstance(value, list) else [value])]


# -- which languages ------------------------------------------------------------


def test_every_language_the_caseworker_can_choose_has_its_own_file():
    offered = {code for code, _ in LETTER_LANGUAGES}
    assert offered == set(available_languages())
    assert offered == set(EXPECTED)


@pytest.mark.parametrize("code", TRANSLATIONS)
def test_each_translation_adds_its_own_page(code):
    assert letter_languages(code) == ("da", "en", code)


@pytest.mark.parametrize("given", ["xx", "tr", "uk", "", None])
def test_a_language_without_a_file_falls_back_to_danish_and_english(given):
    assert letter_languages(given) == ("da", "en")
    texts = [flat(text) for text in page_texts(render(language=given or ""))]
    assert len(texts) == 2
    assert EXPECTED["da"][0] in texts[0] and EXPECTED["en"][0] in texts[1]
    assert "Side 1 af 2" in texts[0] and "Page 2 of 2" in texts[1]


# -- what each page says --------------------------------------------------------


def test_the_letter_is_danish_english_then_the_persons_language(translated):
    code, pdf = translated
    da, en, own = (flat(text) for text in page_texts(pdf))
    for page, language in ((da, "da"), (en, "en"), (own, code)):
        subject, sentence, day, _ = EXPECTED[language]
        assert subject in page, language
        assert sentence in page, language
        assert day in page, language
    assert EXPECTED["en"][0] not in own and EXPECTED["da"][0] not in own
    assert letters._catalogue()[code]["page"].format(page=3, pages=3) in own
    # Page 1 points to the person's page in the person's own words.
    assert letters._catalogue()[code]["this_letter_here"].format(page=3) in da


def test_every_page_carries_the_name_the_credentials_and_the_personnummer(translated):
    _, pdf = translated
    for number, text in enumerate(page_texts(pdf), start=1):
        text = flat(text)
        assert "Małgorzata Wiśniewska" in text, number
        assert "bave tumi 47" in text and "k7ma 3ub9 hd4e 8hrn" in text, number
        assert "770590-1234" in text, number
        assert letters.LOGIN_URL in text, number
    assert printed_credentials(pdf) == ("bavetumi47", "k7ma3ub9hd4e8hrn")


def test_the_own_alphabet_comes_back_from_the_pdf(translated):
    code, pdf = translated
    own = page_texts(pdf)[2]
    letters_expected = EXPECTED[code][3]
    missing = [ch for ch in letters_expected if ch not in own]
    assert not missing, f"{code}: {missing}"


@pytest.mark.parametrize("code", TRANSLATIONS)
def test_every_character_of_a_translation_is_in_both_fonts(code):
    fonts = letters._fonts()
    for name in (letters.REGULAR, letters.BOLD):
        glyphs = fonts[name].face.charToGlyph
        lacking = {
            ch for text in texts_of(code) for ch in text if ord(ch) not in glyphs and ch != " "
        }
        assert not lacking, f"{code}.toml, {name}: {sorted(lacking)}"


@pytest.mark.parametrize("code", TRANSLATIONS)
def test_the_danish_jobnet_terms_are_kept_as_jobnet_shows_them(code):
    table = letters._catalogue()[code]
    text = " ".join(texts_of(code))
    for term in ("Jobnet", "MitID", "Borgerservice", "(SU)"):
        assert term in text, term
    assert "»Mit CV«" in table["steps"][2]
    fields = table["steps"][3]
    for label in (
        "(Uddannelse)",
        "(Arbejdserfaring)",
        "(Kontaktoplysninger",
        "(»Jeg søger job som«)",
        "(Ansættelsesbetingelser)",
    ):
        assert label in fields, label
    assert "personnummer" in table["personnummer"]


@pytest.mark.parametrize("code", sorted(EXPECTED))
def test_the_mitid_paragraph_says_mitid_opens_jobnet(code):
    """MitID from Borgerservice is how the person logs in to Jobnet later, on their own."""
    mitid = letters._catalogue()[code]["mitid"]
    for term in ("MitID", "Borgerservice", "Jobnet"):
        assert term in mitid, (code, term)


@pytest.mark.parametrize("code", TRANSLATIONS)
def test_a_translation_is_not_english_left_untranslated(code):
    own, english = letters._catalogue()[code], letters._catalogue()["en"]
    for key in ("subject", "intro", "spaces_note", "no_rights", "mitid", "keep_safe", "contact"):
        assert own[key] != english[key], key
    assert all(a != b for a, b in zip(own["steps"], english["steps"], strict=True))


# -- layout -----------------------------------------------------------------------


@pytest.mark.parametrize("code", TRANSLATIONS)
def test_every_page_fits_above_its_footer_with_the_longest_details(code):
    pdf = render(language=code, name=LONG_NAME, jobcentre_name=LONG_JOBCENTRE)
    assert len(page_texts(pdf)) == 3
    for number in (1, 2, 3):
        page = chunks(pdf, number)
        footer = page[-1]
        assert footer.baseline > letters.BODY_BOTTOM
        body = [c for c in page[:-1] if c.top >= letters.BODY_TOP]
        assert max(c.baseline for c in body) <= letters.BODY_BOTTOM, number
        assert min(c.size for c in body) >= 7.5 / 72 * 25.4, number  # still readable


@pytest.mark.parametrize("code", TRANSLATIONS)
def test_no_line_is_wider_than_its_column(code, monkeypatch):
    """A word longer than its column would run past it: into the QR code or the margin."""
    too_wide = []
    wrap = letters._Page.wrap

    def checked(self, text, font, size, width_mm):
        lines = wrap(self, text, font, size, width_mm)
        too_wide.extend(
            (line, width_mm)
            for line in lines
            if stringWidth(line, font, size) > width_mm * letters.MM + 0.01
        )
        return lines

    monkeypatch.setattr(letters._Page, "wrap", checked)
    render(language=code, name=LONG_NAME, jobcentre_name=LONG_JOBCENTRE)
    assert not too_wide


@pytest.mark.parametrize("code", TRANSLATIONS)
def test_the_page_index_on_page_one_takes_one_line(code):
    """The right-hand column's 'this letter in ...: page 3' is not broken before its number."""
    line = letters._catalogue()[code]["this_letter_here"].format(page=3)
    assert stringWidth(line, letters.REGULAR, 8.5) <= letters.HEAD_WIDTH * letters.MM


def test_the_personnummer_is_never_where_the_window_can_show_it(translated):
    code, pdf = translated
    for number in (1, 2, 3):
        found = [c for c in chunks(pdf, number) if "770590" in c.text or "1234" in c.text]
        assert found, "the personnummer is printed"
        for chunk in found:
            assert chunk.top > WINDOW.bottom, (code, number, chunk)
            assert chunk.top > WINDOW_RISK.bottom, (code, number, chunk)


@pytest.mark.parametrize("code", TRANSLATIONS)
def test_a_letter_stays_under_60_kb_in_every_language(code):
    pdf = render(
        language=code,
        name="Γεώργιος Παπαδόπουλος",
        address_lines=("Цветелина Жекова", "Ħal Qormi", "Kőműves Þórður"),
        jobcentre_name=LONG_JOBCENTRE,
    )
    assert len(pdf) <= 60 * 1024


# -- the jobcentre's contact details -------------------------------------------------

#: Monday and Thursday, and 9:00 as each language writes them, written out here.
OPENING = {
    "da": ("mandag", "torsdag", "9.00", "Åbningstider"),
    "en": ("Monday", "Thursday", "9:00", "Opening hours"),
    "de": ("Montag", "Donnerstag", "9:00", "Öffnungszeiten"),
    "pl": ("poniedziałek", "czwartek", "9:00", "Godziny otwarcia"),
    "ro": ("luni", "joi", "9:00", "Program de lucru cu publicul"),
    "lt": ("pirmadienis", "ketvirtadienis", "9:00", "Darbo laikas"),
    "lv": ("pirmdiena", "ceturtdiena", "9.00", "Darba laiks"),
    "et": ("esmaspäev", "neljapäev", "9.00", "Lahtiolekuajad"),
    "bg": ("понеделник", "четвъртък", "9:00", "Работно време"),
    "hu": ("hétfő", "csütörtök", "9:00", "Ügyfélfogadás"),
    "cs": ("pondělí", "čtvrtek", "9:00", "Úřední hodiny"),
    "sk": ("pondelok", "štvrtok", "9:00", "Úradné hodiny"),
    "sl": ("ponedeljek", "četrtek", "9.00", "Uradne ure"),
    "hr": ("ponedjeljak", "četvrtak", "9:00", "Radno vrijeme"),
    "el": ("Δευτέρα", "Πέμπτη", "9:00", "Ώρες εξυπηρέτησης"),
    "it": ("lunedì", "giovedì", "9:00", "Orari di apertura"),
    "es": ("lunes", "jueves", "9:00", "Horario de atención"),
    "pt": ("segunda-feira", "quinta-feira", "9:00", "Horário de atendimento"),
    "fr": ("lundi", "jeudi", "9 h 00", "Horaires d’ouverture"),
    "nl": ("maandag", "donderdag", "9.00", "Openingstijden"),
    "fi": ("maanantai", "torstai", "9.00", "Aukioloajat"),
    "sv": ("måndag", "torsdag", "9.00", "Öppettider"),
    "nb": ("mandag", "torsdag", "9.00", "Åpningstider"),
    "is": ("mánudagur", "fimmtudagur", "9:00", "Opnunartími"),
    "mt": ("It-Tnejn", "Il-Ħamis", "9:00", "Ħinijiet tal-ftuħ"),
    "ga": ("Dé Luain", "Déardaoin", "9:00", "Uaireanta oscailte"),
}
HOURS = parse_opening_hours("man-tor 9-15, fre 9-13")


def test_every_language_has_its_weekdays():
    assert set(OPENING) == set(EXPECTED)


@pytest.mark.parametrize("code", TRANSLATIONS)
def test_the_opening_hours_are_written_in_each_page_s_language(code):
    pdf = render(language=code, jobcentre_opening_hours=HOURS)
    for page, language in zip(page_texts(pdf), ("da", "en", code), strict=True):
        monday, thursday, nine, label = OPENING[language]
        assert f"{label}: {monday}–{thursday} {nine}–" in flat(page), language
        assert EXPECTED_CONTACT[language] in flat(page), language


def _contact_sentence(code: str) -> str:
    return letters._catalogue()[code]["contact"]


EXPECTED_CONTACT = {code: _contact_sentence(code) for code in EXPECTED}


@pytest.mark.parametrize(
    "details",
    [
        {"jobcentre_phone": "", "jobcentre_email": "", "jobcentre_address_lines": ()},
        # An address alone: a person who comes when it is closed is pointed at nothing.
        {"jobcentre_phone": "", "jobcentre_email": ""},
    ],
    ids=["nothing", "address only"],
)
@pytest.mark.parametrize("code", TRANSLATIONS)
def test_a_jobcentre_without_contact_details_invites_nobody(code, details):
    pages = page_texts(render(language=code, **details))
    for page, language in zip(pages, ("da", "en", code), strict=True):
        assert flat(_contact_sentence(language)) not in flat(page), language
        # The rest of the page is there.
        assert EXPECTED[language][1] in flat(page), language


@pytest.mark.parametrize(
    "details",
    [
        {"jobcentre_email": "", "jobcentre_address_lines": ()},  # a phone
        {"jobcentre_phone": "", "jobcentre_address_lines": ()},  # an e-mail
        {"jobcentre_phone": "", "jobcentre_email": "", "jobcentre_opening_hours": HOURS},
    ],
    ids=["phone", "e-mail", "address and hours"],
)
def test_one_way_to_reach_the_jobcentre_is_enough_for_the_invitation(details):
    pages = page_texts(render(language="ro", **details))
    for page, language in zip(pages, ("da", "en", "ro"), strict=True):
        assert flat(_contact_sentence(language)) in flat(page), language


@pytest.mark.parametrize("code", TRANSLATIONS)
def test_a_week_of_opening_hours_stays_in_the_letterhead(code):
    """Seven separate days in the longest words: still above the window's band and the body."""
    week = parse_opening_hours(
        "man 8-12; tir 8-12; ons 8.30-17.30; tor 8-12; fre 8-12; lør 10-12; søn 10-12"
    )
    pdf = render(language=code, jobcentre_name=LONG_JOBCENTRE, jobcentre_opening_hours=week)
    catalogue = letters._catalogue()
    for number, language in zip((1, 2, 3), ("da", "en", code), strict=True):
        column = [c for c in chunks(pdf, number) if c.x >= letters.HEAD_LEFT - 0.5]
        # The column's last lines: the date, and on page 1 the index of the languages.
        last = [EXPECTED[language][2]]
        if number == 1:
            last.append(catalogue[code]["this_letter_here"].format(page=3))
        for text in last:
            found = [c for c in column if flat(text).startswith(flat(c.text)[:12])]
            assert found, (number, text)
            assert max(c.baseline for c in found) < letters.BODY_TOP, (number, text, found)
