"""Speech files uploaded on the web app's data page: the speech capability's upload kind.

The data page imports a file of a kind some capability offers (``tocsin.web.UploadKind``);
speech files (CSV or JSON Lines, read through a column mapping) are offered here and
registered by :func:`tocsin.speech.web.include_speech`. A speech file is imported whole or
refused, as ``tocsin speech import`` does.
"""

from __future__ import annotations

import csv
import io
from datetime import datetime

from tocsin.errors import RowProblem
from tocsin.speech._importers import ColumnMapping, read_csv_items, read_jsonl_items
from tocsin.speech._store import import_speech_items
from tocsin.store import Database, UserFileError, user_text
from tocsin.web import ImportOutcome, Storing, Upload, UploadKind

__all__ = ["SPEECH_UPLOADS", "import_speech_upload", "speech_rejects"]


def import_speech_upload(
    upload: Upload, db: Database, storing: Storing, now: datetime
) -> ImportOutcome:
    """Read an uploaded speech file through its column mapping and store its items."""
    mapping = ColumnMapping(
        **({"columns": upload.speech_columns} if upload.speech_columns else {}),
        defaults=upload.speech_defaults,
        country_scheme=upload.country_scheme,
    )
    stream = io.StringIO(user_text(upload.data, upload.file_name), newline="")
    if upload.fmt == "csv":
        items = read_csv_items(stream, mapping, path=upload.file_name)
    else:
        items = read_jsonl_items(stream, mapping, path=upload.file_name)
    if not items:
        raise UserFileError(
            f"{upload.file_name} has no items, only a header",
            fix="upload a file with rows (was it exported completely?)",
        )
    storing(len(items))
    with db.session() as session:
        result = import_speech_items(
            session,
            items,
            kind=f"speech_{upload.fmt}",
            file_name=upload.file_name,
            sha256=upload.sha256,
            now=now,
            details={"format": upload.fmt, "via": "web"},
        )
    return ImportOutcome(
        "done",
        n_rows=len(items),
        import_id=result.import_id,
        summary={
            "n_items": len(items),
            "n_new": result.n_new,
            "n_existing": result.n_existing,
            "already_imported": result.already_imported,
        },
        message=(
            f"Already imported (import {result.import_id}): nothing changed."
            if result.already_imported
            else None
        ),
    )


def speech_rejects(upload: Upload, problems: list[RowProblem]) -> str:
    """The refused rows of a speech file as read, with their line and problems, as CSV."""
    by_line: dict[int, list[str]] = {}
    for p in problems:
        if p.line is not None:
            by_line.setdefault(p.line, []).append(p.describe())
    out = io.StringIO()
    text = upload.data.decode("utf-8-sig", errors="replace")
    if upload.fmt == "csv":
        reader = csv.DictReader(io.StringIO(text, newline=""))
        try:
            header = ["line", "problems", *(reader.fieldnames or [])]
            writer = csv.DictWriter(out, header, extrasaction="ignore")
            writer.writeheader()
            for row in reader:
                if reader.line_num in by_line:
                    problems_here = "; ".join(by_line.pop(reader.line_num))
                    writer.writerow(row | {"line": reader.line_num, "problems": problems_here})
        except csv.Error:
            pass  # the row the reader cannot read is itself a problem: listed below
    else:
        writer_plain = csv.writer(out)
        writer_plain.writerow(["line", "problems", "row"])
        for number, line in enumerate(text.splitlines(), start=1):
            if number in by_line:
                writer_plain.writerow([number, "; ".join(by_line.pop(number)), line])
    # Problems of the whole file (a missing column) have no row of their own.
    for number, reasons in sorted(by_line.items()):
        csv.writer(out).writerow([number, "; ".join(reasons)])
    return out.getvalue()


SPEECH_UPLOADS = UploadKind(
    "speech",
    ("csv", "jsonl"),
    import_speech_upload,
    rejected_rows=speech_rejects,
    whole_file_only=True,
)
