"""jobnet.letters: the PDF, read back with pypdf. No database."""

import ast
import subprocess
import sys
import tomllib
from datetime import date
from pathlib import Path

import pytest
from reportlab.pdfbase import pdfmetrics

from apoc.exceptions import DomainError
from jobnet import letters
from jobnet.letters import (
    LOGIN_URL,
    TRAINING_BAND,
    TRAINING_NOTICE,
    WINDOW,
    WINDOW_RISK,
    Credentials,
    InvalidLetterData,
    LetterTextsError,
    available_languages,
    letter_languages,
    render_letter,
)
from tests.jobnet.factories import LetterDataFactory
from tests.jobnet.pdf import chunks, flat, page_texts, printed_credentials, reader

ROOT = Path(__file__).resolve().parents[2]
CREDENTIALS = Credentials(username="bavetumi47", password="k7ma3ub9hd4e8hrn")

# What each shipped translation calls the letter, written out here.
SUBJECTS = {
    "da": "Dit brugernavn og din adgangskode til Jobnet",
    "en": "Your username and password for Jobnet",
    "de": "Ihr Benutzername und Ihr Passwort für Jobnet",
    "pl": "Twoja nazwa użytkownika i hasło do Jobnet",
    "ro": "Numele dumneavoastră de utilizator și parola pentru Jobnet",
    "lt": "Jūsų Jobnet naudotojo vardas ir slaptažodis",
}

EU_NAMES = {
    "greek": "Γεώργιος Παπαδόπουλος",
    "cyrillic": "Цветелина Жекова-Щерева",
    "polish": "Małgorzata Żółkiewska-Łęcka",
    "romanian": "Ștefan Țărănescu",
    "maltese": "Ġużeppi Ħabib Borġ",
    "hungarian": "Őrsi Kőműves Űrsula",
    "lithuanian": "Jonas Žemaitė-Ėglė Šiaurys",
    "danish": "Søren Æbelø Åsgård",
    "german": "Jürgen Groß",
}


def render(**overrides) -> bytes:
    return render_letter(LetterDataFactory(**overrides), CREDENTIALS)


@pytest.fixture(scope="module")
def polish_letter() -> bytes:
    return render(language="pl")


def test_the_letter_is_an_a4_pdf_with_one_page_per_language(polish_letter):
    assert polish_letter.startswith(b"%PDF-")
    pages = reader(polish_letter).pages
    assert len(pages) == 3
    for page in pages:
        width, height = float(page.mediabox.width), float(page.mediabox.height)
        assert (round(width / 72 * 25.4), round(height / 72 * 25.4)) == (210, 297)


def test_the_letter_holds_the_person_the_credentials_and_the_jobcentre(polish_letter):
    first = flat(page_texts(polish_letter)[0])
    for expected in [
        "Małgorzata Wiśniewska",
        "c/o Hansen",
        "Nørrebrogade 12, 3. tv.",
        "2200 København N",
        "770590-1234",
        "Jobcenter København",
        "Kalvebod Brygge 43",
        "1560 København V",
        "70 12 34 56",
        "jobcenter@kk.dk",
        "29. november 2026",
        "bave tumi 47",
        "k7ma 3ub9 hd4e 8hrn",
        LOGIN_URL,
    ]:
        assert expected in first, expected
    assert printed_credentials(polish_letter) == ("bavetumi47", "k7ma3ub9hd4e8hrn")


def test_page_one_is_danish_page_two_english_page_three_the_persons_language(polish_letter):
    da, en, pl = (flat(text) for text in page_texts(polish_letter))
    assert SUBJECTS["da"] in da and "Side 1 af 3" in da
    assert SUBJECTS["en"] in en and "Page 2 of 3" in en and "29 November 2026" in en
    assert SUBJECTS["pl"] in pl and "Strona 3 z 3" in pl and "29 listopada 2026" in pl
    assert SUBJECTS["en"] not in da and SUBJECTS["da"] not in en
    # Page 1 tells where the other languages are, each in its own words.
    assert "This letter in English: page 2" in da
    assert "Ten list po polsku: strona 3" in da
    # Every page carries the credentials and the personnummer.
    for text in (da, en, pl):
        assert "bave tumi 47" in text and "k7ma 3ub9 hd4e 8hrn" in text
        assert "770590-1234" in text
        assert "Małgorzata Wiśniewska" in text


def test_the_danish_page_says_what_to_do_and_what_the_number_means(polish_letter):
    da = flat(page_texts(polish_letter)[0])
    for expected in [
        "log på med brugernavnet og adgangskoden",
        "Vælg en ny adgangskode",
        "Opret dit CV",
        "uddannelse, arbejdserfaring, kontaktoplysninger",
        "»Jeg søger job som«",
        "ansættelsesbetingelser",
        "Gør dit CV søgbart",
        "administrative personnummer",
        "giver ikke i sig selv nogen rettigheder",
        "MitID hos Borgerservice",
        "Med MitID kan du senere selv logge på Jobnet",
        "Skriv uden mellemrum",
    ]:
        assert expected in da, expected


def test_the_english_page_says_the_same(polish_letter):
    en = flat(page_texts(polish_letter)[1])
    for expected in [
        "log in with the username and password",
        "Choose a new password",
        "Create your CV",
        "education (Uddannelse), work experience (Arbejdserfaring)",
        "contact details (Kontaktoplysninger",
        "»Jeg søger job som«",
        "terms of employment (Ansættelsesbetingelser)",
        "Make your CV searchable",
        "gives you no rights in itself",
        "MitID",
        "Borgerservice",
        "With MitID you can later log in to Jobnet yourself",
        "Type without the spaces",
    ]:
        assert expected in en, expected


@pytest.mark.parametrize("code", ["de", "pl", "ro", "lt"])
def test_each_shipped_language_gets_its_own_page(code):
    texts = page_texts(render(language=code))
    assert len(texts) == 3
    assert SUBJECTS[code] in flat(texts[2])
    assert SUBJECTS["da"] in flat(texts[0]) and SUBJECTS["en"] in flat(texts[1])


@pytest.mark.parametrize("given", ["PL", "pl-PL", "pl_PL", " pl "])
def test_language_codes_are_read_leniently(given):
    assert letter_languages(given) == ("da", "en", "pl")
    assert LetterDataFactory(language=given).languages == ("da", "en", "pl")


@pytest.mark.parametrize("given", ["", None, "da", "en", "xx", "tr", "uk", "english"])
def test_without_a_translation_the_letter_is_danish_and_english(given):
    assert letter_languages(given) == ("da", "en")


@pytest.mark.parametrize("code", ["de", "pl", "ro", "lt"])
def test_every_page_fits_above_its_footer(code):
    name = "Maria-Magdalena Constantinescu-Wiśniewska"
    pdf = render(language=code, name=name, jobcentre_name="Jobcenter Lyngby-Taarbæk")
    for number in (1, 2, 3):
        page = chunks(pdf, number)
        footer = page[-1]
        assert footer.baseline > letters.BODY_BOTTOM
        body = [c for c in page[:-1] if c.top >= letters.BODY_TOP]
        assert max(c.baseline for c in body) <= letters.BODY_BOTTOM
        assert min(c.size for c in body) >= 7.5 / 72 * 25.4  # still readable


def test_an_unknown_language_prints_two_pages():
    texts = page_texts(render(language="xx"))
    assert len(texts) == 2
    assert "Side 1 af 2" in flat(texts[0]) and "Page 2 of 2" in flat(texts[1])


def test_at_least_the_promised_languages_are_shipped():
    assert {"da", "en", "de", "pl", "ro", "lt"} <= set(available_languages())


@pytest.mark.parametrize("script", sorted(EU_NAMES))
def test_names_in_every_eu_script_come_back_unchanged(script):
    name = EU_NAMES[script]
    pdf = render(name=name, address_lines=(name.split()[-1] + "gade 1", "8000 Aarhus C"))
    for text in page_texts(pdf):
        assert name in text.splitlines() or name in flat(text)
    # The window line is the name alone.
    assert name in [line.strip() for line in page_texts(pdf)[0].splitlines()]


def test_a_decomposed_name_is_printed_composed():
    decomposed = "S\u0327tefan T\u0326a\u0306ra\u0306nescu"  # combining marks
    pdf = render(name=decomposed)
    assert "Ştefan Țărănescu" in flat(page_texts(pdf)[0])


def test_the_fonts_are_embedded_subsets_and_no_standard_font_is_used(polish_letter):
    full_size = Path(letters._fonts()[letters.REGULAR].face.filename).stat().st_size
    for page in reader(polish_letter).pages:
        fonts = page["/Resources"]["/Font"]
        assert fonts
        for ref in fonts.values():
            font = ref.get_object()
            base = str(font["/BaseFont"])
            assert "Helvetica" not in base and "Times" not in base
            descendant = (
                font["/DescendantFonts"][0].get_object() if "/DescendantFonts" in font else font
            )
            descriptor = descendant["/FontDescriptor"].get_object()
            embedded = descriptor["/FontFile2"].get_object()
            assert len(embedded.get_data()) < full_size / 4  # a subset, not the whole font


def test_a_letter_stays_under_60_kb_even_with_greek_and_cyrillic():
    pdf = render(name=EU_NAMES["greek"], address_lines=("Цветелина Жекова", "Ħal Qormi", "Kőműves"))
    assert len(pdf) <= 60 * 1024


def test_fonts_are_registered_once_per_process(monkeypatch):
    render()
    calls = []
    monkeypatch.setattr(pdfmetrics, "registerFont", lambda font: calls.append(font))
    render(language="de")
    render(language="lt")
    assert calls == []
    assert {letters.REGULAR, letters.BOLD} <= set(pdfmetrics.getRegisteredFontNames())


# -- the window envelope (CPR-loven § 54) ------------------------------------------


def test_the_window_constants_describe_a_left_window_on_the_upper_third():
    assert 10 <= WINDOW.left < WINDOW.right <= 130
    assert 30 <= WINDOW.top < WINDOW.bottom <= 100
    assert WINDOW_RISK.top < WINDOW.top and WINDOW_RISK.bottom > WINDOW.bottom


def test_the_address_is_inside_the_window():
    pdf = render()
    page = chunks(pdf, 1)
    for line in [
        "Małgorzata Wiśniewska",
        "c/o Hansen",
        "Nørrebrogade 12, 3. tv.",
        "2200 København N",
    ]:
        (chunk,) = [c for c in page if c.text == line]
        assert WINDOW.contains(chunk.x, chunk.top) and WINDOW.contains(chunk.x, chunk.baseline)


@pytest.mark.parametrize("language", ["pl", "", "lt"])
def test_the_personnummer_is_never_where_the_window_can_show_it(language):
    pdf = render(language=language, personnummer="7705901234")
    for number in range(1, len(reader(pdf).pages) + 1):
        found = [c for c in chunks(pdf, number) if "770590" in c.text or "1234" in c.text]
        assert found, "the personnummer is printed"
        for chunk in found:
            assert chunk.top > WINDOW.bottom, chunk
            assert chunk.top > WINDOW_RISK.bottom, chunk


def test_the_credentials_are_never_where_the_window_can_show_them():
    pdf = render()
    found = [c for c in chunks(pdf, 1) if "bave" in c.text or "k7ma" in c.text]
    assert len(found) == 2
    assert all(chunk.top > WINDOW_RISK.bottom for chunk in found)


def test_nothing_but_the_address_and_return_address_is_in_the_window():
    pdf = render()
    inside = [c.text for c in chunks(pdf, 1) if WINDOW.contains(c.x, c.baseline)]
    assert inside[0].startswith("Afsender: Jobcenter København")
    assert inside[1:] == [
        "Małgorzata Wiśniewska",
        "c/o Hansen",
        "Nørrebrogade 12, 3. tv.",
        "2200 København N",
    ]


def test_a_long_name_is_made_smaller_to_stay_in_the_window():
    name = "Maria-Magdalena Alexandra Constantinescu-Wiśniewska-Papadopoulou"
    pdf = render(name=name, address_lines=("Vej 1", "8000 Aarhus C"))
    page = chunks(pdf, 1)
    address = [c for c in page if WINDOW.contains(c.x, c.baseline) and "Afsender" not in c.text]
    assert " ".join(c.text for c in address).startswith(name)
    assert all(c.baseline < WINDOW.bottom for c in address)


# -- training mode -----------------------------------------------------------------


@pytest.mark.parametrize("language", ["pl", ""])
def test_in_training_mode_every_page_says_so_in_danish_and_english(language):
    pdf = render(language=language, training=True)
    texts = page_texts(pdf)
    assert len(texts) == (3 if language else 2)
    for text in texts:
        lines = [line.strip() for line in text.splitlines()]
        assert TRAINING_NOTICE[0] in lines
        assert TRAINING_NOTICE[1] in lines
        assert TRAINING_NOTICE[0].startswith("Træningsmiljø – personnumre og Jobnet-koder")


def test_without_training_mode_no_page_mentions_it():
    pdf = render(language="pl")
    for text in page_texts(pdf):
        assert "Træningsmiljø" not in text and "Training environment" not in text
    assert LetterDataFactory().training is False


@pytest.mark.parametrize("language", ["pl", "lt", ""])
def test_the_training_band_is_in_the_top_margin_far_from_the_window(language):
    pdf = render(language=language, training=True)
    for number in range(1, len(reader(pdf).pages) + 1):
        band = [c for c in chunks(pdf, number) if c.text in TRAINING_NOTICE]
        assert [c.text for c in band] == list(TRAINING_NOTICE)
        for chunk in band:
            assert not WINDOW.contains(chunk.x, chunk.top)
            assert not WINDOW_RISK.contains(chunk.x, chunk.baseline)
            assert chunk.baseline < WINDOW_RISK.top, chunk  # wholly above the window's reach
            assert TRAINING_BAND.contains(chunk.x, chunk.top), chunk
            assert TRAINING_BAND.contains(chunk.x, chunk.baseline), chunk
            width = pdfmetrics.stringWidth(chunk.text, letters.BOLD, chunk.size * letters.MM)
            assert chunk.x + width / letters.MM <= TRAINING_BAND.right
        # Above everything else on the page: the letterhead starts below it.
        others = [c for c in chunks(pdf, number) if c.text not in TRAINING_NOTICE]
        assert min(c.top for c in others) > max(c.baseline for c in band)


def test_the_training_band_moves_nothing_else():
    plain, training = render(language="pl"), render(language="pl", training=True)
    for number in (1, 2, 3):
        band = [c for c in chunks(training, number) if c.text in TRAINING_NOTICE]
        rest = [c for c in chunks(training, number) if c.text not in TRAINING_NOTICE]
        assert len(band) == 2
        assert rest == chunks(plain, number)


def test_the_training_band_lies_outside_every_window_placement():
    assert TRAINING_BAND.bottom < WINDOW_RISK.top
    assert TRAINING_BAND.top >= 5  # inside what office printers print
    assert TRAINING_BAND.left >= letters.MARGIN_LEFT
    assert TRAINING_BAND.right <= 210 - letters.MARGIN_RIGHT


# -- a login typed from the case system ----------------------------------------------

TYPED = Credentials(username="Maria.K-2024", password="Xq7#lO0p!Z", as_typed=True)
TYPED_VALUES = ("Maria.K-2024", "Xq7#lO0p!Z")


@pytest.fixture(scope="module")
def typed_letter() -> bytes:
    return render_letter(LetterDataFactory(language="pl"), TYPED)


def test_a_typed_login_is_printed_exactly_as_typed_on_every_page(typed_letter):
    texts = page_texts(typed_letter)
    assert len(texts) == 3
    for number, text in enumerate(texts, start=1):
        lines = [line.strip() for line in text.splitlines()]
        assert "Maria.K-2024" in lines, number  # not grouped, not lower-cased
        assert "Xq7#lO0p!Z" in lines, number
    assert printed_credentials(typed_letter) == ("Maria.K-2024", "Xq7#lO0p!Z")


def test_a_typed_login_gets_no_note_on_spaces_and_small_letters(typed_letter):
    """That note describes APOC's own passwords; the case system's may differ."""
    catalogue = letters._catalogue()
    own = render_letter(LetterDataFactory(language="pl"), CREDENTIALS)
    for number, code in enumerate(("da", "en", "pl")):
        typed_page = flat(page_texts(typed_letter)[number])
        own_page = flat(page_texts(own)[number])
        assert flat(catalogue[code]["spaces_note"]) in own_page, code
        assert flat(catalogue[code]["spaces_note"]) not in typed_page, code
        assert flat(catalogue[code]["one_time_note"]) in typed_page, code
        assert flat(catalogue[code]["steps"][0].format(url=LOGIN_URL)) in typed_page, code


def test_a_typed_login_is_never_where_the_window_can_show_it(typed_letter):
    for number in (1, 2, 3):
        found = [c for c in chunks(typed_letter, number) if c.text in TYPED_VALUES]
        assert len(found) == 2, number
        assert all(chunk.top > WINDOW_RISK.bottom for chunk in found)


@pytest.mark.parametrize("language", ["pl", "el", "hu"])
def test_the_longest_typed_login_stays_on_one_line_left_of_the_qr_code(language):
    widest = Credentials(username="W" * 32, password="@" * 32, as_typed=True)
    pdf = render_letter(LetterDataFactory(language=language), widest)
    qr_column = letters.MARGIN_LEFT + letters.BODY_WIDTH - 44 - 4
    for number in (1, 2, 3):
        found = [c for c in chunks(pdf, number) if c.text in (widest.username, widest.password)]
        assert len(found) == 2, number  # each on one line, whole
        for chunk in found:
            width = pdfmetrics.stringWidth(chunk.text, letters.BOLD, chunk.size * letters.MM)
            assert chunk.x + width / letters.MM < qr_column, chunk
    assert printed_credentials(pdf) == (widest.username, widest.password)


def test_a_typed_password_stays_out_of_repr():
    assert "Xq7#lO0p!Z" not in repr(TYPED)
    assert "Maria.K-2024" in repr(TYPED)


# -- bad details -----------------------------------------------------------------


def test_a_missing_name_is_a_domain_error():
    with pytest.raises(InvalidLetterData) as caught:
        LetterDataFactory(name="  \n ")
    assert isinstance(caught.value, DomainError)
    assert caught.value.code == "invalid_letter_data"
    assert caught.value.message == "Brevet kan ikke udskrives: navnet mangler."


def test_too_many_address_lines_are_refused():
    with pytest.raises(InvalidLetterData) as caught:
        LetterDataFactory(address_lines=("1", "2", "3", "4", "5"))
    assert "højst fylde 5 linjer" in caught.value.message


@pytest.mark.parametrize("number", ["", "12345", "320590-1234", "1705901234x", "010199-123"])
def test_a_bad_personnummer_is_refused(number):
    with pytest.raises(InvalidLetterData) as caught:
        LetterDataFactory(personnummer=number)
    assert caught.value.message == "Brevet kan ikke udskrives: personnummeret er ugyldigt."


def test_a_birth_date_after_the_letter_date_is_refused():
    with pytest.raises(InvalidLetterData):
        LetterDataFactory(personnummer="011227-4000", letter_date=date(2026, 11, 29))


def test_the_personnummer_is_printed_in_the_usual_form():
    assert LetterDataFactory(personnummer=" 1705901234 ").personnummer == "170590-1234"


def test_letter_data_is_frozen_and_tidied():
    data = LetterDataFactory(
        name="  Anna \n  Kowalska ", address_lines=["Vej 1", "", "  8000   Aarhus C "]
    )
    assert data.name == "Anna Kowalska"
    assert data.address_lines == ("Vej 1", "8000 Aarhus C")
    with pytest.raises(AttributeError):
        data.name = "Other"  # type: ignore[misc]


def test_characters_the_font_lacks_are_refused_not_printed_as_boxes():
    with pytest.raises(InvalidLetterData) as caught:
        render(name="王小明 Wang")
    assert caught.value.code == "invalid_letter_data"
    assert "王" in caught.value.message and "Wang" not in caught.value.message


def test_the_password_stays_out_of_repr():
    assert "k7ma3ub9hd4e8hrn" not in repr(CREDENTIALS)
    assert "bavetumi47" in repr(CREDENTIALS)


# -- the QR code -----------------------------------------------------------------


def test_the_qr_code_is_a_well_formed_symbol():
    count, runs = letters._qr_runs(LOGIN_URL)
    assert count == 25  # version 2 holds the address at level M
    dark = {(row, column + i) for row, column, length in runs for i in range(length)}
    finder = [
        [1, 1, 1, 1, 1, 1, 1],
        [1, 0, 0, 0, 0, 0, 1],
        [1, 0, 1, 1, 1, 0, 1],
        [1, 0, 1, 1, 1, 0, 1],
        [1, 0, 1, 1, 1, 0, 1],
        [1, 0, 0, 0, 0, 0, 1],
        [1, 1, 1, 1, 1, 1, 1],
    ]
    for top, left in [(0, 0), (0, count - 7), (count - 7, 0)]:
        for r in range(7):
            for c in range(7):
                assert ((top + r, left + c) in dark) == bool(finder[r][c])


# -- the translation files -------------------------------------------------------


def test_every_translation_file_has_exactly_the_danish_keys_and_placeholders():
    files = sorted(letters.TEXTS_DIR.glob("*.toml"))
    assert len(files) >= 6
    reference = tomllib.loads((letters.TEXTS_DIR / "da.toml").read_text("utf-8"))
    for path in files:
        table = tomllib.loads(path.read_text("utf-8"))
        assert set(table) == set(reference), path.name
        assert len(table["months"]) == 12, path.name
        assert len(table["steps"]) == len(reference["steps"]), path.name
        assert "{url}" in table["steps"][0], path.name
        assert "{page}" in table["this_letter_here"], path.name


@pytest.fixture
def texts_dir(tmp_path, monkeypatch):
    for path in letters.TEXTS_DIR.glob("*.toml"):
        (tmp_path / path.name).write_bytes(path.read_bytes())
    monkeypatch.setattr(letters, "TEXTS_DIR", tmp_path)
    letters._catalogue.cache_clear()
    yield tmp_path
    letters._catalogue.cache_clear()


def test_a_new_language_is_one_new_file(texts_dir):
    ukrainian = (texts_dir / "en.toml").read_text("utf-8")
    ukrainian = ukrainian.replace('language_name = "English"', 'language_name = "Українська"')
    ukrainian = ukrainian.replace(
        'subject = "Your username and password for Jobnet"',
        'subject = "Ваше ім’я користувача та пароль для Jobnet"',
    )
    assert not (texts_dir / "uk.toml").exists()
    (texts_dir / "uk.toml").write_text(ukrainian, "utf-8")
    assert letter_languages("uk") == ("da", "en", "uk")
    texts = page_texts(render(language="uk"))
    assert "Ваше ім’я користувача та пароль для Jobnet" in flat(texts[2])


def test_a_translation_missing_a_key_is_caught(texts_dir):
    broken = (texts_dir / "en.toml").read_text("utf-8").replace('regards = "Kind regards"', "")
    (texts_dir / "xx.toml").write_text(broken, "utf-8")
    with pytest.raises(LetterTextsError, match=r"xx\.toml: missing \['regards'\]"):
        letter_languages("xx")


def test_a_translation_with_a_wrong_placeholder_is_caught(texts_dir):
    broken = (texts_dir / "en.toml").read_text("utf-8").replace("Dear {name}", "Dear {nmae}")
    (texts_dir / "xx.toml").write_text(broken, "utf-8")
    with pytest.raises(LetterTextsError, match=r"xx\.toml: greeting"):
        render()


def test_a_translation_with_too_few_steps_is_caught(texts_dir):
    table = (texts_dir / "en.toml").read_text("utf-8")
    broken = table.replace('    "Choose a new password that only you know.",\n', "")
    assert broken != table
    (texts_dir / "xx.toml").write_text(broken, "utf-8")
    with pytest.raises(LetterTextsError, match=r"xx\.toml: steps"):
        available_languages()


# -- the rules of the project ------------------------------------------------------


def test_the_pure_modules_import_nothing_from_django():
    code = (
        "import sys; import jobnet.credentials, jobnet.letters; "
        "from datetime import date; "
        "bad = sorted(m for m in sys.modules if m == 'django' or m.startswith('django.')); "
        "print(bad); sys.exit(1 if bad else 0)"
    )
    result = subprocess.run(  # noqa: S603 - our own interpreter and code
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_jobnet_never_imports_registrations():
    for path in (ROOT / "jobnet").rglob("*.py"):
        tree = ast.parse(path.read_text("utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            else:
                continue
            assert not any(n.split(".")[0] == "registrations" for n in names), path
