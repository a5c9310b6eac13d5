"""contributions.emails.plain_quotes: quoted replies and signatures cut from plain text.

On messages built by tests/contributions/email_factory.py."""

import pytest

from .. import email_factory as f
from ..email_factory import BODY
from .helpers import parse


class TestTrimPlain:
    @pytest.mark.parametrize(
        "tail",
        [
            "On Mon, 2 Mar 2026 at 10:00, Editor <ed@byline.example> wrote:\n> Please add sources.\n> Thanks",
            "On Mon, 2 Mar 2026 at 10:00, A Very Long Editor Name Indeed <\ned@byline.example> wrote:\n\n> quoted",
            "On 02/03/2026 10:00, Editor wrote:\n>\n> quoted\n>> deeper\n",
            "Le lun. 2 mars 2026 à 10:00, Rédaction <ed@byline.example> a écrit :\n> Merci",
            "Am Mo., 2. März 2026 um 10:00 Uhr schrieb Redaktion <ed@byline.example>:\n> Danke",
            "-----Original Message-----\nFrom: Editor\nSent: Monday\nTo: Ana\nSubject: Changes\n\nPlease add sources.",
            "----- Original Message -----\nFrom: Editor\n\nPlease add sources.",
            "From: Editor <ed@byline.example>\nSent: Monday, 2 March 2026 10:00\nTo: Ana\n\nPlease add sources.",
            "________________________________\nFrom: Editor\nSent: Monday\n\nPlease add sources.",
            "> trailing quote\n> block",
            "-- \nAna Writer\nCEO of Things\nhttps://ana.example",
            "--\nAna Writer\nCEO of Things",
            "Sent from my iPhone",
            "Sent from my Android phone",
            "Get Outlook for iOS",
            "Envoyé de mon iPhone",
            "Sent from my iPhone\n\nOn 2 Mar 2026, at 10:00, Editor <ed@byline.example> wrote:\n\n> Add sources.",
            "-- \nAna\n\nOn Mon, Editor wrote:\n> quoted",
        ],
    )
    def test_trimmed(self, tail):
        parsed = parse(f.plain(f"{BODY}\n\nBest,\nAna\n\n{tail}\n"))
        assert parsed.html == f"<p>{BODY}</p><p>Best,<br>Ana</p>"

    def test_inline_replies_keep_the_new_text(self):
        text = f"On Mon, Editor wrote:\n> Can you add sources?\n\nYes: {BODY}\n\n> And a photo?\n\nAttached.\n"
        html = parse(f.plain(text)).html
        assert "Yes: Solid-state" in html and "Attached." in html
        assert "&gt; Can you add sources?" in html

    def test_a_forward_without_a_comment_is_kept(self):
        text = f"-----Original Message-----\nFrom: Ana\nSent: Monday\nSubject: My piece\n\n{BODY}"
        assert BODY in parse(f.plain(text, subject="Fwd: My piece")).html

    def test_dashes_inside_the_text_are_not_a_signature(self):
        text = f"{BODY}\n--\nA second part of the article, after a separator line.\n" + "More text.\n" * 8
        assert "A second part" in parse(f.plain(text)).html

    def test_wrote_inside_a_sentence_is_kept(self):
        text = f"On Monday the minister wrote: cells are the future.\n\n{BODY}"
        assert "minister wrote" in parse(f.plain(text)).html
