"""core/letters.py: what an email's template says itself is taken off an editor's text, nothing else."""

import pytest

from core.letters import letter_body


@pytest.mark.parametrize(
    ("text", "body"),
    [
        ("We need more sources.", "We need more sources."),
        ("Hello Omar,\n\nWe need more sources.", "We need more sources."),
        ("Hi Omar, we need more sources.", "We need more sources."),
        ("Dear Omar Haddad,\r\n\r\nWe need more sources.", "We need more sources."),
        ("Hello Omar,\n\nThank you for “Dr. No rides again”. We need more sources.", "We need more sources."),
        ("Many thanks for your piece! We need more sources.", "We need more sources."),
        ("We need more sources.\n\nBest regards,\nLena Fischer", "We need more sources."),
        ("We need more sources.\n\nCheers, Lena", "We need more sources."),
        ("Hello Omar,\n\nThank you.", ""),
        ("", ""),
    ],
)
def test_the_templates_own_parts_come_off(text, body):
    assert letter_body(text) == body


@pytest.mark.parametrize(
    "text",
    [
        "Hello world programs are where everyone starts.",
        "Thanks to the team at the depot, the timetable is right.",
        "We need more sources.\n\nThank you for the timetable, though: it is the best part.",
        "We need more sources, for example:\nthe 2024 report\nLena Fischer's interview",
    ],
)
def test_text_that_only_looks_like_them_stays(text):
    assert letter_body(text) == text
