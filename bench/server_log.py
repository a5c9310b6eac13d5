"""gunicorn's log after a load test: the errors in it, each once with how often it occurred, and
their tracebacks shortened to the project's frames."""

import re

from bench.processes import ROOT

# A log line's start: Django's "2026-01-02 03:04:05,678 LEVEL", gunicorn's "[2026-01-02 ...]",
# or an access line ('127.1.0.5 - - [02/Jan/2026:...] "GET / HTTP/1.1" 200 ...').
_LOG_LINE = re.compile(r"^(\d{4}-\d\d-\d\d[ T]\d\d:\d\d|\[\d{4}-\d\d-\d\d |\d+\.\d+\.\d+\.\d+ - )")
_ERROR_LINE = re.compile(r"^\d{4}-\d\d-\d\d[ T][\d:,.]+ (ERROR|CRITICAL) |^\[[^]]+\] \[\d+\] \[(ERROR|CRITICAL)\]")


# Django logs a refused Host header or a forged session (SuspiciousOperation, answered 400) at
# ERROR under django.security: bad input handled, not a server error.
_HANDLED = re.compile(r"^\S+ \S+ ERROR django\.security\.")


def server_errors(log):
    """The errors in gunicorn's log (Django's ERROR lines with their tracebacks, gunicorn's
    [ERROR] and [CRITICAL] lines), each once with how often it occurred, most frequent first."""
    blocks, current = [], None
    for line in log.splitlines():
        if _ERROR_LINE.match(line) and not _HANDLED.match(line):
            current = [line]
            blocks.append(current)
        elif current is not None and not _LOG_LINE.match(line):
            current.append(line)  # the traceback, chained ones and their blank lines included
        else:
            current = None
    counted = {}
    for block in blocks:
        while block and not block[-1].strip():
            block.pop()
        # The same failure on other URLs is one error: key on the exception, not the first line.
        head = re.sub(r"^\S+ \S+ |^\[[^]]+\] \[\d+\] ", "", block[0])
        key = (head.split(":", 1)[0], block[-1]) if len(block) > 1 else (head, "")
        entry = counted.setdefault(key, {"count": 0, "first": "\n".join(block)})
        entry["count"] += 1
    return sorted(counted.values(), key=lambda entry: -entry["count"])


def shorten_traceback(text, innermost=2, project=str(ROOT)):
    """A logged error with, of each traceback in it, the frames in the project's code (under
    `project`, not a library's) and the `innermost` last ones; the others are counted in a
    "... N frames ..." line."""
    out, frames = [], []

    def flush():
        def ours(frame):
            return f'"{project}/' in frame[0] and "site-packages" not in frame[0]

        keep = [n >= len(frames) - innermost or ours(frame) for n, frame in enumerate(frames)]
        dropped = 0
        for frame, kept in zip(frames, keep, strict=True):
            if kept:
                if dropped:
                    out.append(f"  ... {dropped} frames ...")
                    dropped = 0
                out.extend(frame)
            else:
                dropped += 1
        frames.clear()

    for line in text.splitlines():
        if line.startswith('  File "'):
            frames.append([line])
        elif line.startswith("  ") and frames:
            frames[-1].append(line)
        else:
            flush()
            out.append(line)
    flush()
    return "\n".join(out)
