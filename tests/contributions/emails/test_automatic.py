"""contributions.emails.automatic: auto-replies, bounces and list mail.

On messages built by tests/contributions/email_factory.py."""

from email.message import EmailMessage
from email.parser import BytesParser
from email.policy import default as default_policy

import pytest

from contributions.emails import classify_auto

from .. import email_factory as f
from .helpers import parse


class TestAutomaticMail:
    @pytest.mark.parametrize(
        ("name", "value"),
        [
            ("Auto-Submitted", "auto-replied"),
            ("Auto-Submitted", "auto-generated"),
            ("Auto-Submitted", "Auto-Replied; owner-email=ana@example.org"),
            ("Auto-Submitted", "auto-notified"),
            ("Precedence", "bulk"),
            ("Precedence", "JUNK"),
            ("Precedence", "list"),
            ("Precedence", "auto_reply"),
            ("List-Id", "Newsletter <news.example.org>"),
            ("List-Unsubscribe", "<mailto:unsubscribe@example.org>"),
            ("X-Autoreply", "yes"),
            ("X-Autorespond", "Out of office"),
            ("X-Auto-Response-Suppress", "All"),
            ("X-Auto-Response-Suppress", "OOF"),
            ("X-Auto-Response-Suppress", "DR, RN, NRN, OOF, AutoReply"),
            ("Return-Path", "<>"),
            ("X-Failed-Recipients", "someone@example.org"),
        ],
    )
    def test_classified_and_not_refused(self, name, value):
        parsed = parse(f.auto([(name, value)]))
        assert parsed.auto_reason
        assert parsed.html  # parsed all the same: the caller decides (silently)

    @pytest.mark.parametrize(
        ("name", "value"),
        [
            ("Auto-Submitted", "no"),
            ("Auto-Submitted", "No"),
            ("Precedence", "first-class"),
            ("X-Auto-Response-Suppress", "DR, RN"),
            ("X-Autoreply", "no"),
            ("Return-Path", "<ana@example.org>"),
        ],
    )
    def test_people(self, name, value):
        assert parse(f.auto([(name, value)])).auto_reason == ""

    @pytest.mark.parametrize(
        "sender",
        ["MAILER-DAEMON@mx.example.org", "Mail Delivery System <mailer-daemon@example.org>", "PostMaster@example.org"],
    )
    def test_daemons(self, sender):
        assert parse(f.plain(sender=sender)).auto_reason

    def test_a_person_is_not_automatic(self):
        assert parse(f.plain()).auto_reason == ""
        assert parse(f.plain(sender="postmaster-fan@example.org")).auto_reason == ""

    def test_delivery_status_notification(self):
        parsed = parse(f.dsn())
        assert parsed.auto_reason == "delivery report"
        assert "could not be delivered" in parsed.html and "Original." not in parsed.html

    def test_delivery_status_part_in_a_mixed_message(self):
        assert parse(f.delivery_status_in_mixed()).auto_reason == "delivery report"

    def test_automatic_mail_without_a_body_is_not_refused(self):
        assert parse(f.auto([("Auto-Submitted", "auto-replied")], text="")).auto_reason

    def test_classify_auto_on_a_message_object(self):
        msg = f.auto([("Precedence", "bulk")])
        assert classify_auto(msg) == "Precedence: bulk"
        assert classify_auto(BytesParser(policy=default_policy).parsebytes(f.plain().as_bytes())) == ""
        assert classify_auto(EmailMessage()) == ""
