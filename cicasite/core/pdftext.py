"""The text of an uploaded PDF, read by pypdf in a child process with hard limits.

An outcome document's text is extracted once, when its file is new or changed
(events.models.Document.save() enqueues it), stored, and searched by site search;
never while a page is served. A PDF is whatever an uploader gave us, so it is read
in a child process (this file, run by the interpreter with -I: no Django, no
project code) under limits that no PDF can talk its way around:

- MAX_PAGES pages and MAX_CHARS characters of text at most (the rest is left out, and
  the result says "truncated"). MAX_CHARS keeps a document's search vector, which holds
  its English and Russian texts, far below PostgreSQL's 1 MB limit of a tsvector;
- TIMEOUT_SECONDS of wall time and of CPU time, and MEMORY_BYTES of address space
  (resource limits set in the child before it reads anything).

A PDF that is encrypted (and opens with no empty password), broken, or over a limit
of time or memory gives an empty text and a status saying which; it is never an
error for the caller, and the file itself is kept as uploaded.
"""

import json
import subprocess
import sys
from dataclasses import dataclass

MAX_PAGES = 500
MAX_CHARS = 100_000
TIMEOUT_SECONDS = 30
MEMORY_BYTES = 1024 * 1024 * 1024


def _reader():
    from importlib.metadata import PackageNotFoundError, version

    try:
        return f"pypdf {version('pypdf')}"
    except PackageNotFoundError:
        return "pypdf"


# Stored with each text: which reader read it (extract_document_texts --reader-changed re-reads the others).
READER = _reader()


class Status:
    """What became of an extraction (stored with the text; the admin words each)."""

    OK = "ok"  # the text of every page
    TRUNCATED = "truncated"  # the first MAX_PAGES pages or MAX_CHARS characters
    NO_TEXT = "no_text"  # readable, but no text in it (a scan without OCR)
    ENCRYPTED = "encrypted"  # needs a password
    BROKEN = "broken"  # pypdf could not read it
    TOO_SLOW = "too_slow"  # over the time or memory limit

    WITH_TEXT = (OK, TRUNCATED)


@dataclass(frozen=True)
class Extraction:
    text: str
    status: str
    pages: int = 0  # pages in the PDF (0 when it could not be read)


def clean(text):
    """Text fit for a database column: no NUL or other control characters (PostgreSQL refuses NUL),
    no lone surrogates, runs of spaces collapsed, at most one empty line between paragraphs."""
    text = text.encode("utf-8", "replace").decode("utf-8")
    text = "".join(ch if ch >= " " or ch in "\n\t" else " " for ch in text)
    lines = [" ".join(line.split()) for line in text.split("\n")]
    out, blank = [], False
    for line in lines:
        if line:
            out.append(line)
            blank = False
        elif not blank and out:
            out.append("")
            blank = True
    return "\n".join(out).strip()


def extract(data, *, max_pages=MAX_PAGES, max_chars=MAX_CHARS, timeout=TIMEOUT_SECONDS):
    """The text of the PDF `data` (bytes), read in a child process within the limits above."""
    command = [sys.executable, "-I", __file__, str(max_pages), str(max_chars), str(timeout)]
    try:
        done = subprocess.run(command, input=data, capture_output=True, timeout=timeout + 5, check=False)
    except subprocess.TimeoutExpired:
        return Extraction("", Status.TOO_SLOW)
    if done.returncode != 0:
        # Killed by a resource limit (SIGXCPU, SIGKILL) or out of memory: the PDF asked too much.
        status = Status.TOO_SLOW if done.returncode < 0 or b"MemoryError" in done.stderr else Status.BROKEN
        return Extraction("", status)
    try:
        result = json.loads(done.stdout)
    except ValueError:
        return Extraction("", Status.BROKEN)
    text = clean(result.get("text", ""))[:max_chars]
    status = result.get("status", Status.BROKEN)
    if status in Status.WITH_TEXT and not text:
        status = Status.NO_TEXT
    return Extraction(text, status, int(result.get("pages", 0)))


# The child: run as a script (python -I pdftext.py MAX_PAGES MAX_CHARS TIMEOUT), the PDF on stdin.


def _limit(timeout):
    import resource

    resource.setrlimit(resource.RLIMIT_CPU, (timeout, timeout + 1))
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_BYTES, MEMORY_BYTES))


def _read(data, max_pages, max_chars):
    import io
    import logging

    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    logging.disable(logging.WARNING)  # pypdf logs every oddity of a damaged file
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            try:
                if not reader.decrypt(""):  # an owner password only: readable without asking
                    return {"status": Status.ENCRYPTED}
            except Exception:  # a cipher pypdf cannot undo here
                return {"status": Status.ENCRYPTED}
        count = len(reader.pages)
        parts, length, status = [], 0, Status.OK
        for number, page in enumerate(reader.pages):
            if number >= max_pages:
                status = Status.TRUNCATED
                break
            try:
                text = page.extract_text() or ""
            except (PdfReadError, ValueError, KeyError, TypeError, AttributeError, IndexError):
                continue  # one damaged page: the others still count
            parts.append(text)
            length += len(text) + 2
            if length > max_chars:
                status = Status.TRUNCATED
                break
        return {"status": status, "pages": count, "text": "\n\n".join(parts)[:max_chars]}
    except Exception:  # whatever a damaged file makes pypdf raise
        return {"status": Status.BROKEN}


def main(argv):
    max_pages, max_chars, timeout = (int(value) for value in argv[1:4])
    _limit(timeout)
    data = sys.stdin.buffer.read()
    sys.stdout.write(json.dumps(_read(data, max_pages, max_chars)))


if __name__ == "__main__":
    main(sys.argv)
