"""Reading the files users hand to an importer, and storing one file once at a time.

Every importer, on the command line and on the web, reads a user's file through
:func:`read_user_file` and :func:`user_text` (or :func:`utf8_bytes` for the byte readers):
a missing file, a folder, an empty file, a binary file or a file in another encoding then
ends in one sentence naming the file (and the line and byte where it applies) and the fix,
never in a traceback. :func:`table_problems` says which rows of a delimited file a parser
could not read; :func:`hold_import_lock` makes a second import of the same file wait for
the first, so that it finds the file imported instead of failing on the unique index.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
from pathlib import Path
from typing import TYPE_CHECKING

from tocsin.errors import DataFileError, RowProblem, TocsinError

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

__all__ = [
    "UserFileError",
    "binary_kind",
    "hold_import_lock",
    "read_user_file",
    "table_problems",
    "user_text",
    "utf8_bytes",
]

#: What the first bytes of a file say it is, for files that are not text at all.
_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"%PDF", "a PDF document"),
    (b"PK\x03\x04", "a zip archive (an Excel .xlsx or Word .docx file is one)"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"\xd0\xcf\x11\xe0", "an old Excel or Word file"),
    (b"SQLite format 3\x00", "a SQLite database"),
    (b"7z\xbc\xaf", "a 7-Zip archive"),
)

_BOMS: tuple[tuple[bytes, str], ...] = (
    # UTF-32's little-endian mark starts with UTF-16's: test it first
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def bom_encoding(data: bytes) -> str | None:
    """The encoding a UTF-16 or UTF-32 byte-order mark at the start of ``data`` names.

    >>> bom_encoding("a".encode("utf-16")), bom_encoding(b"a")
    ('utf-16', None)
    """
    return next((encoding for bom, encoding in _BOMS if data.startswith(bom)), None)


_SAVE_AS_TEXT = "export it as UTF-8 text (CSV, JSON Lines or JSON, as the command expects)"


class UserFileError(TocsinError):
    """A file a user gave cannot be read as the text an importer expects; nothing stored."""


def read_user_file(path: str | Path) -> bytes:
    """The bytes of the file at ``path``, or a :class:`UserFileError` that says why not.

    >>> read_user_file("/no/such/file.csv")
    Traceback (most recent call last):
    tocsin.store._userfiles.UserFileError: no file /no/such/file.csv. Fix: check the path
    """
    where = Path(path)
    if where.is_dir():
        raise UserFileError(
            f"{where} is a folder, not a file", fix="give the path of a file inside it"
        )
    if not where.exists():
        raise UserFileError(f"no file {where}", fix="check the path")
    try:
        return where.read_bytes()
    except OSError as error:
        raise UserFileError(
            f"cannot read {where}: {error.strerror or error}",
            fix="check that the file is readable by you",
        ) from error


def binary_kind(data: bytes) -> str | None:
    """What ``data`` looks like when it is not text (``None`` when it may be text).

    >>> binary_kind(b"\\x89PNG\\r\\n")
    'a PNG image'
    >>> binary_kind(b"id,name\\n1,x\\n") is None
    True
    """
    for magic, kind in _MAGIC:
        if data.startswith(magic):
            return kind
    if bom_encoding(data):
        return None  # UTF-16 and UTF-32 text holds NUL bytes
    if b"\x00" in data[:65536]:
        return "binary data (it holds NUL bytes)"
    return None


def user_text(data: bytes, name: str | Path) -> str:
    """``data`` decoded as text: UTF-8 (with or without a byte-order mark), or UTF-16 or
    UTF-32 when a byte-order mark says so; refuses empty, binary and other files.

    >>> user_text("naïve".encode("utf-16"), "a.csv")
    'naïve'
    >>> try:
    ...     user_text(b"id,name\\n1,Caf\\xe9\\n", "a.csv")
    ... except UserFileError as error:
    ...     print(error.message.split(";")[0])
    a.csv:2: byte 0xe9 at byte offset 13 (column 6) is not UTF-8
    """
    if not data.strip():
        raise UserFileError(
            f"{name} is empty" if not data else f"{name} holds only blank space",
            fix="give the whole file (was it exported or copied completely?)",
        )
    kind = binary_kind(data)
    if kind is not None:
        raise UserFileError(f"{name} is not a text file: it looks like {kind}", fix=_SAVE_AS_TEXT)
    encoding = bom_encoding(data)
    if encoding:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError as error:
            raise UserFileError(
                f"{name}: the file starts as {encoding.upper()} text but byte offset "
                f"{error.start} is not {encoding.upper()}",
                fix="save the file as UTF-8 and import it again",
            ) from error
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        start = error.start
        line = data.count(b"\n", 0, start) + 1
        column = start - (data.rfind(b"\n", 0, start) + 1) + 1
        raise UserFileError(
            f"{name}:{line}: byte 0x{data[start]:02x} at byte offset {start} (column {column}) "
            "is not UTF-8; the file is probably Latin-1 or Windows-1252",
            fix="save the file as UTF-8 (in a spreadsheet: Save as, CSV UTF-8) and import it again",
        ) from error


def utf8_bytes(data: bytes, name: str | Path) -> bytes:
    """``data`` as UTF-8 without a byte-order mark, for readers that take bytes (pyarrow);
    the same checks as :func:`user_text`. Plain UTF-8 comes back as it is, uncopied."""
    decoded = user_text(data, name)
    if data.startswith(codecs.BOM_UTF8) or bom_encoding(data):
        return decoded.encode("utf-8")
    return data


def table_problems(
    text_or_data: str | bytes,
    name: str | Path,
    *,
    delimiter: str = ",",
    header: bool = True,
    n_columns: int | None = None,
    quoting: bool = True,
    limit: int = 20,
) -> DataFileError:
    """The rows of a delimited file that cannot be read, as a :class:`DataFileError`:
    rows with too many or too few fields, and a quote that is never closed.

    For a parser's error (pyarrow's or pandas's name no line); Python's ``csv`` module
    reads the file again, slowly, only when the fast reader has already failed.

    >>> print(table_problems("a,b\\n1,2\\n3\\n", "x.csv"))
    x.csv: 1 problem, nothing was stored
      x.csv:3: expected 2 fields, found 1. Fix: correct the rows listed (or export the file again)
    """
    content = text_or_data if isinstance(text_or_data, str) else user_text(text_or_data, name)
    stream = io.StringIO(content, newline="")
    reader = csv.reader(
        stream,
        delimiter=delimiter,
        strict=True,
        quoting=csv.QUOTE_MINIMAL if quoting else csv.QUOTE_NONE,
    )
    problems: list[RowProblem] = []
    expected = n_columns
    start = 1
    try:
        for row in reader:
            if expected is None:
                expected = len(row)
                if header:
                    start = reader.line_num + 1
                    continue
            if row and len(row) != expected:
                problems.append(
                    RowProblem(start, None, f"expected {expected} fields, found {len(row)}")
                )
                if len(problems) >= limit:
                    break
            start = reader.line_num + 1
    except csv.Error as error:
        reason = str(error)
        if "unexpected end of data" in reason or "EOF" in reason:
            reason = "a quoted value starts here and is never closed"
        problems.append(RowProblem(start, None, reason))
    if not problems:
        problems.append(RowProblem(None, None, "the file could not be read as delimited text"))
    return DataFileError(
        str(name), problems, fix_hint="correct the rows listed (or export the file again)"
    )


def hold_import_lock(session: Session, kind: str, sha256: str) -> None:
    """Wait, in ``session``'s transaction, until no other import of this file is running.

    Two imports of one file at once would both find it new and the second would fail on
    the unique index of ``imports``; with this lock the second waits for the first to
    commit, then finds the file imported. On PostgreSQL it is an advisory lock on the
    file's checksum; SQLite has one writer at a time, so the write lock is taken now, not
    at the first insert (it waits the busy timeout, then says the database is busy).
    """
    # here, not at the top: the readers above serve the data sets too, which need no
    # database (importing SQLAlchemy costs a tenth of a second at start-up)
    from sqlalchemy import text
    from sqlalchemy.exc import OperationalError

    try:
        if session.get_bind().dialect.name == "postgresql":
            key = int.from_bytes(hashlib.sha256(f"{kind}:{sha256}".encode()).digest()[:8], "big")
            signed = key - (1 << 64) if key >= 1 << 63 else key
            session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": signed})
        else:
            # an update of no row still takes SQLite's write lock for the transaction
            session.execute(text("UPDATE imports SET id = id WHERE 1 = 0"))
    except OperationalError as error:
        raise TocsinError(
            "the database is busy with another import",
            fix="wait for it to finish and run the command again (a file imported twice "
            "adds nothing)",
        ) from error
