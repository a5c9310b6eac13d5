"""contributions/cleaning.py: titles without the subject's prefixes, bodies without the letter around the piece,
captions; in the shapes real mail apps and contributors produce, with what must stay alongside what must go."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from contributions.cleaning import (
    captions,
    clean_body,
    clean_title,
    normalised,
    usable_caption,
    without_leading_picture,
)
from core.sanitizer import sanitize_html

TEXT = "<p>Solid-state cells store more energy in the same space, and they charge faster.</p>"
MORE = "<p>The first cars to carry them will be expensive, and the factories are still being built.</p>"


# --- Titles ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("subject", "title"),
    [
        ("Re: Fwd: [Guest Post] Guest post: Solar roofs in winter", "Solar roofs in winter"),
        ("Guest post: Solar roofs", "Solar roofs"),
        ("GUEST POST: Solar roofs", "Solar roofs"),
        ("guest-post - Solar roofs", "Solar roofs"),
        ("Submission: The quiet keyboard", "The quiet keyboard"),
        ("Submission - The quiet keyboard", "The quiet keyboard"),
        ("Guest Post – The quiet keyboard", "The quiet keyboard"),
        ("Guest post — The quiet keyboard", "The quiet keyboard"),
        ("Article submission | The quiet keyboard", "The quiet keyboard"),
        ("Fwd: The quiet keyboard", "The quiet keyboard"),
        ("FW: The quiet keyboard", "The quiet keyboard"),
        ("Fw: Re: The quiet keyboard", "The quiet keyboard"),
        ("RE: RE: RE: The quiet keyboard", "The quiet keyboard"),
        ("Re[2]: The quiet keyboard", "The quiet keyboard"),
        ("Re(3): The quiet keyboard", "The quiet keyboard"),
        ("Re^2: The quiet keyboard", "The quiet keyboard"),
        ("AW: WG: Die leise Tastatur", "Die leise Tastatur"),  # German Outlook
        ("Aw: Gastbeitrag: Die leise Tastatur", "Die leise Tastatur"),
        ("SV: VS: Det tysta tangentbordet", "Det tysta tangentbordet"),  # Swedish, Danish
        ("VS: VL: Hiljainen näppäimistö", "Hiljainen näppäimistö"),  # Finnish
        ("Antw: Doorst: Het stille toetsenbord", "Het stille toetsenbord"),  # Dutch
        ("Réf. : TR: Le clavier silencieux", "Le clavier silencieux"),  # French
        ("RE : TR : Le clavier silencieux", "Le clavier silencieux"),  # French spacing before the colon
        ("R: I: La tastiera silenziosa", "La tastiera silenziosa"),  # Italian Outlook
        ("RV: RE: El teclado silencioso", "El teclado silencioso"),  # Spanish
        ("ENC: Res: O teclado silencioso", "O teclado silencioso"),  # Portuguese
        ("Odp: PD: Cicha klawiatura", "Cicha klawiatura"),  # Polish
        ("YNT: İLT: Sessiz klavye", "Sessiz klavye"),  # Turkish
        ("ΑΠ: ΠΡΘ: Το αθόρυβο πληκτρολόγιο", "Το αθόρυβο πληκτρολόγιο"),  # Greek
        ("Отв: Пересл: Тихая клавиатура", "Тихая клавиатура"),  # Russian
        ("回复：转发：安静的键盘", "安静的键盘"),  # Chinese, full-width colons
        ("[External] [SPAM?] The quiet keyboard", "The quiet keyboard"),
        ("(Guest post) The quiet keyboard", "The quiet keyboard"),
        ("  Re:   The   quiet keyboard  ", "The quiet keyboard"),
    ],
)
def test_subject_prefixes_go(subject, title):
    assert clean_title(subject) == title


@pytest.mark.parametrize(
    "title",
    [
        "Fwd Thinking: a book about foresight",  # no colon right after the prefix word
        "Resume: how to write one",
        "Refurbished phones are worth it",
        "Reply-all considered harmful",
        "Guest posts: why we publish them",  # the label has to be the whole word
        "Submissions are open again",
        "AWS: the bill nobody reads",
        "Tr.: a typographer's note",
        "Re-entry: how capsules come home",
        "The [redacted] files",  # a bracket that is no prefix
        "Solar roofs – a guide",  # a dash further on
    ],
)
def test_titles_that_only_look_like_prefixes_stay(title):
    assert clean_title(title) == title


@pytest.mark.parametrize("subject", ["Re:", "Fwd: Re: ", "[Guest Post]", "Guest post:", "Re: [x]", "   "])
def test_a_title_never_becomes_empty(subject):
    assert clean_title(subject) == " ".join(subject.split())


def test_hostile_titles_are_plain_strings():
    assert clean_title("Re: <script>alert(1)</script>") == "<script>alert(1)</script>"  # escaped where shown
    assert clean_title("Re: " * 5000 + "X") == "X"  # linear enough for a silly subject
    assert clean_title("[" * 300 + "X") == "[" * 300 + "X"


# --- Bodies: what goes ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "greeting",
    [
        "Hi editors,",
        "Hi,",
        "Hello team!",
        "Dear editor",
        "Dear Byline editors,",
        "Good morning all,",
        "To whom it may concern:",
        "Hallo Redaktion,",
        "Liebe Redaktion,",
        "Sehr geehrte Damen und Herren,",
        "Bonjour,",
        "Chère rédaction,",
        "Madame, Monsieur,",
        "Hola equipo:",
        "Estimado editor:",
        "Ciao a tutti,",
        "Beste redactie,",
        "Hej!",
        "Olá,",
        "Dzień dobry,",
    ],
)
def test_an_opening_greeting_paragraph_goes(greeting):
    assert clean_body(f"<p>{greeting}</p>{TEXT}{MORE}") == TEXT + MORE


@pytest.mark.parametrize(
    "closing",
    [
        "<p>Regards,</p><p>Omar</p>",
        "<p>Regards,<br>Omar</p>",
        "<p>Best regards, Omar</p>",
        "<p>Thanks,<br>Lena</p>",
        "<p>Cheers!</p>",
        "<p>Kind regards,</p><p>Lena Fischer<br>Freelance journalist, Berlin<br>lena@example.org | +49 30 1234567</p>",
        "<p>Best,<br>Omar Haddad<br>https://omar.example<br>Tel. +1 (555) 010-2030</p>",
        "<p>-- Lena Fischer</p>",
        "<p>—Omar</p>",
        "<p>--<br>Lena Fischer<br>Writer</p>",
        "<p>Sent from my iPhone</p>",
        "<p>Get Outlook for Android</p>",
        "<p>Sent with Proton Mail secure email.</p>",
        "<p>Regards,<br>Omar</p><p>Sent from my iPhone</p>",
        "<p>Mit freundlichen Grüßen</p><p>Jan Becker</p>",
        "<p>Viele Grüße, Jan</p><p>Von meinem iPhone gesendet</p>",
        "<p>Cordialement,<br>Claire Martin</p><p>Envoyé de mon iPad</p>",
        "<p>Un saludo,<br>Lucía</p><p>Enviado desde mi iPhone</p>",
        "<p>Cordiali saluti,<br>Marco Rossi</p>",
        "<p>Met vriendelijke groet,<br>Sanne de Vries</p>",
        "<p>Med vänliga hälsningar<br>Erik</p>",
        "<p>Pozdrawiam,<br>Ania</p>",
        "<p>Thanks!</p><p>This email and any attachments are confidential and intended solely for the addressee. "
        "If you received it by mistake, please delete it.</p>",
        "<p>Please consider the environment before printing this email.</p>",
    ],
)
def test_closing_sign_offs_signatures_and_footers_go(closing):
    assert clean_body(f"{TEXT}{MORE}{closing}") == TEXT + MORE


def test_greeting_sign_off_and_footer_at_once_and_empty_paragraphs_around():
    body = f"<p></p><p>Hi editors,</p><p><br></p>{TEXT}{MORE}<p></p><p>Regards,<br>Omar</p><p>Sent from my iPhone</p>"
    assert clean_body(body) == TEXT + MORE


def test_lines_split_at_br_go_one_by_one():
    body = "<p>Dear editor,<br>here is the piece we spoke about.</p>" + TEXT + "<p>It ends here.<br>Thanks,<br>Omar</p>"
    assert clean_body(body) == "<p>here is the piece we spoke about.</p>" + TEXT + "<p>It ends here.</p>"


def test_text_outside_paragraphs_as_a_mail_app_sends_it():
    # Gmail's <div>s are gone after sanitizing: text at the top level, lines apart at <br>.
    body = "Hi editors,\n<br>\nSolid-state cells store more energy.\n<br>\n<br>\nCheers,<br>Lena\n"
    assert clean_body(body) == "Solid-state cells store more energy."


def test_the_title_repeated_as_the_first_heading_or_paragraph_goes():
    assert clean_body(f"<h2>Solar Roofs in Winter</h2>{TEXT}", title="Solar roofs in winter") == TEXT
    assert clean_body(f"<h2>Solar roofs — in winter!</h2>{TEXT}", title="Solar roofs in winter") == TEXT
    assert clean_body(f"<p><strong>Solar roofs in winter</strong></p>{TEXT}", title="Solar roofs in winter") == TEXT
    assert clean_body(f"<p>Hi editors,</p><h2>Solar roofs in winter</h2>{TEXT}", title="Solar roofs in winter") == TEXT
    # The subject as sent may be what the document repeats.
    sent = "Guest post: Solar roofs"
    assert clean_body(f"<h2>{sent}</h2>{TEXT}", title="Solar roofs", titles=(sent,)) == TEXT


# --- Bodies: what stays ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        "<p>Hello world programs are where every language starts.</p>" + TEXT,
        "<p>Hi-fi systems got cheaper this year, and better.</p>" + TEXT,
        "<p>Dear Prudence, the song, was written in India in 1968.</p>" + TEXT,
        "<p>Hi editors, here is my piece about the radio.</p>" + TEXT,  # a greeting with text: no whole line
        "<h2>Hello!</h2>" + TEXT,  # a heading is the piece's
        TEXT + "<p>Thanks to the team at the lab, who helped a great deal.</p>" + MORE,
        TEXT + "<p>Regards,</p>" + MORE,  # in the middle
        TEXT + MORE + "<p>Thanks for reading, and see you at the show.</p>",
        TEXT + MORE + "<p>The best regards of the season went to the builders.</p>",
        TEXT + MORE + "<p>LG Electronics</p>",
        TEXT + "<ul><li>Regards</li><li>Cheers</li></ul>",  # inside a list
        TEXT + "<blockquote><p>Regards, Omar</p></blockquote>",  # a quote
        TEXT + '<figure><img src="/media/a.png" alt="A cell"><figcaption>Regards</figcaption></figure>',
        TEXT + "<p>Lena Fischer</p>",  # a name alone: no sign-off above it
        TEXT + "<h2>Thanks</h2>",
        TEXT + "<p>Disclaimer: the author worked for a battery maker until 2024.</p>",  # the reader's to see
        TEXT + "<p>Regards,</p><p>Disclosure: I own shares in the company.</p>",
    ],
)
def test_what_is_the_piece_stays(body):
    assert clean_body(body) == body


def test_a_title_further_down_stays():
    body = f"{TEXT}<h2>Solar roofs in winter</h2>{MORE}"
    assert clean_body(body, title="Solar roofs in winter") == body


def test_only_the_first_repeat_and_the_first_greeting_go():
    body = f"<p>Hi,</p><p>Hello!</p><h2>Solar roofs</h2><h2>Solar roofs</h2>{TEXT}"
    assert clean_body(body, title="Solar roofs") == f"<p>Hello!</p><h2>Solar roofs</h2><h2>Solar roofs</h2>{TEXT}"


@pytest.mark.parametrize(
    "body",
    [
        "<p>Hi editors,</p><p>Regards, Omar</p>",
        "<p>Hi editors,</p>",
        "<p>Sent from my iPhone</p>",
        "<h2>Solar roofs</h2>",
    ],
)
def test_a_body_that_would_be_left_empty_keeps_its_text(body):
    assert clean_body(body, title="Solar roofs") == body


def test_a_picture_is_never_cut():
    pictures = f'<p><img src="/media/a.png" alt=""></p>{TEXT}<p><img src="/media/b.png" alt="">Cheers</p>'
    assert clean_body(f"<p>Hi,</p>{pictures}") == pictures


def test_markup_inside_the_kept_lines_is_untouched():
    line = 'See <a href="https://x.example" rel="ugc">the <strong>spec</strong></a> &amp; more.'
    assert clean_body(f"<p>Hi,<br>{line}</p><p>Thanks,<br>Cheers</p>") == f"<p>{line}</p>"


@pytest.mark.parametrize("body", ["", "plain words", "<p>", "<p>Hi,</p><p>text", "</p></p><p>Hi,</p>"])
def test_odd_input_is_returned_or_cleaned_without_error(body):
    assert isinstance(clean_body(body), str)


def test_hostile_text_stays_text():
    body = (
        "<p>Hi,</p><p>&lt;script&gt;alert(1)&lt;/script&gt; is how it starts.</p>"
        "<p>Regards,<br>&lt;b&gt;Omar&lt;/b&gt;</p>"
    )
    cleaned = clean_body(body)
    assert cleaned.startswith("<p>&lt;script&gt;alert(1)&lt;/script&gt; is how it starts.</p>")
    assert "<script" not in cleaned


def test_a_long_body_is_cleaned_quickly_enough_to_finish():
    # Thousands of paragraphs, sign-off-like lines among them: one pass, nothing in the middle cut.
    middle = "".join(f"<p>Paragraph {n}.</p><p>Regards,</p>" for n in range(3000))
    cleaned = clean_body(f"<p>Hi,</p>{middle}{TEXT}<p>Regards,<br>Omar</p>")
    assert cleaned == f"{middle}{TEXT}"


# --- Captions -------------------------------------------------------------------------------------------


def test_captions_from_figcaption_caption_line_and_alt():
    html = (
        '<figure><img src="/a.png" alt="alt a"><figcaption>The dial at dusk</figcaption></figure>'
        '<p><img src="/b.png" alt="IMG_0042.JPG"><br>Caption: The test rig</p>'
        '<figure><img src="/c.png" alt="a cell"></figure><p>Légende : La cellule</p>'
        '<p><img src="/d.png" alt="The factory floor"></p><p>Unrelated text.</p>'
        '<p><img src="/e.png" alt=""></p><p>Caption: for e</p>'
    )
    assert captions(html) == {
        "/a.png": "The dial at dusk",
        "/b.png": "The test rig",
        "/c.png": "La cellule",
        "/d.png": "The factory floor",
        "/e.png": "for e",
    }


def test_a_caption_line_must_come_right_after_the_picture():
    html = '<p><img src="/a.png" alt=""></p><p>Some text.</p><p>Caption: too late</p>'
    assert captions(html) == {}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("The dial at dusk", "The dial at dusk"),
        ("  The   dial ", "The dial"),
        ("IMG_0042.JPG", ""),
        ("photo 2.png", ""),
        ("image001", ""),
        ("Picture", ""),
        ("A picture containing text, screenshot. Description automatically generated", ""),
        ("x" * 400, "x" * 299 + "…"),
    ],
)
def test_usable_captions(text, expected):
    assert usable_caption(text) == expected


def test_a_caption_that_is_the_file_name_is_none():
    assert usable_caption("dial at dusk", "dial-at-dusk.jpeg") == ""
    assert usable_caption("The dial", "dial-at-dusk.jpeg") == "The dial"


def test_normalised():
    assert normalised("Solar  Roofs — in Winter!") == "solar roofs in winter"
    assert normalised("Ｓｏｌａｒ &amp; roofs") == "solar roofs"


# --- The picture that opens a piece ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "opening",
    [
        '<figure><img src="/a.png" alt=""></figure>',
        '<figure><img src="/a.png" alt=""><figcaption>The rig</figcaption></figure>',
        '<p><img src="/a.png" alt="The rig"></p>',
        '<p></p><p><img src="/a.png" alt=""><br></p>',
    ],
)
def test_a_leading_picture_moves_out(opening):
    assert without_leading_picture(opening + TEXT, "/a.png", caption="The rig") == TEXT


@pytest.mark.parametrize(
    "body",
    [
        TEXT + '<figure><img src="/a.png" alt=""></figure>',  # in the middle: it stays in the text
        '<figure><img src="/b.png" alt=""></figure>' + TEXT,  # another picture opens it
        '<p><img src="/a.png" alt="">A sentence next to it.</p>' + TEXT,  # text beside it
        '<figure><img src="/a.png" alt=""><img src="/b.png" alt=""></figure>' + TEXT,  # two pictures
        '<figure><img src="/a.png" alt=""><figcaption>Another caption</figcaption></figure>' + TEXT,
        '<figure><img src="/a.png" alt=""></figure>',  # the picture alone: nothing left without it
    ],
)
def test_otherwise_the_text_keeps_it(body):
    assert without_leading_picture(body, "/a.png", caption="The rig") is None


# --- Properties -----------------------------------------------------------------------------------------

PIECES = [
    "<p>Hi editors,</p>",
    "<p>Regards,<br>Omar</p>",
    "<p>Sent from my iPhone</p>",
    "<p>Thanks,</p>",
    "<p>Lena Fischer</p>",
    "<p></p>",
    "<p><br></p>",
    "<h2>Solar roofs</h2>",
    '<figure><img src="/a.png" alt=""></figure>',
    "<ul><li>Regards</li></ul>",
]
CONTENT = [TEXT, MORE, "<p>A third paragraph, with <strong>bold</strong> text.</p>"]


@given(
    before=st.lists(st.sampled_from(PIECES), max_size=4),
    middle=st.lists(st.sampled_from(PIECES), max_size=3),
    after=st.lists(st.sampled_from(PIECES), max_size=4),
)
@settings(max_examples=300, deadline=None)
def test_the_piece_itself_always_stays(before, middle, after):
    body = "".join(before) + TEXT + "".join(middle) + MORE + "".join(after)
    cleaned = clean_body(body, title="Solar roofs")
    # Everything from the first paragraph of the piece to its last is kept as it was.
    assert TEXT + "".join(middle) + MORE in cleaned
    assert sanitize_html(cleaned, ugc=True) == cleaned  # still sanitized HTML
    assert cleaned.count("<img") == body.count("<img")  # no picture is ever cut


@given(
    prefixes=st.lists(
        st.sampled_from(["Re:", "RE :", "Fwd:", "AW:", "WG:", "SV:", "Réf. :", "TR:", "[Guest Post]", "Guest post:"]),
        max_size=5,
    ),
    title=st.text(min_size=0, max_size=40),
)
@settings(max_examples=300, deadline=None)
def test_a_cleaned_title_is_the_end_of_the_subject_and_never_empty(prefixes, title):
    subject = " ".join([*prefixes, title])
    cleaned = clean_title(subject)
    tidy = " ".join(subject.split())
    assert tidy.endswith(cleaned) or cleaned == tidy
    assert cleaned or not tidy
