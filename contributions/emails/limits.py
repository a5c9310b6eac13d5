"""The limits of the email parser: what a message may be, and how much of it is read."""

MAX_MESSAGE_BYTES = 25 * 1024 * 1024
MAX_IMAGES = 20
MAX_PARTS = 1000  # MIME parts looked at, in all
MAX_DEPTH = 25  # nesting of multiparts read for the body
MAX_NOTES = 50
MAX_HEADER_CHARS = 2000
MAX_HEADER_VALUES = 50
MAX_TEXT_CHARS = 5_000_000  # of one text part: an article is never that long, and parsing HTML costs time
