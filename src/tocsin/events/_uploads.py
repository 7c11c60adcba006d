"""Event files uploaded on the web app's data page: the events capability's upload kind.

The data page imports a file of a kind some capability offers (``tocsin.web.UploadKind``);
event files (UCDP, ACLED, GDELT, or CSV through a column mapping) are offered here and
registered by :func:`tocsin.events.web.include_events`, as ``tocsin events import`` reads
them: a file with problems is refused whole unless the uploader asks to skip invalid rows.
"""

from __future__ import annotations

import json
from datetime import datetime

import yaml

from tocsin.errors import TocsinError
from tocsin.events._formats import EVENT_FORMATS
from tocsin.events._mapping import ColumnMapping
from tocsin.events._readers import parse_events
from tocsin.events._store import import_events
from tocsin.store import Database, user_text
from tocsin.web import ImportOutcome, Storing, Upload, UploadKind

__all__ = ["EVENT_UPLOADS", "import_event_upload"]


def import_event_upload(
    upload: Upload, db: Database, storing: Storing, now: datetime
) -> ImportOutcome:
    """Parse and store an uploaded event file (UCDP, ACLED, GDELT, or CSV with a mapping)."""
    mapping = None
    if upload.fmt == "csv":
        if not upload.mapping:
            raise TocsinError(
                "the csv format needs a column mapping",
                fix="attach the mapping file (YAML or JSON; see docs/methodology/events.md)",
            )
        text = user_text(upload.mapping, "the column mapping")
        try:
            raw = json.loads(text) if text.lstrip().startswith("{") else yaml.safe_load(text)
            mapping = ColumnMapping.model_validate(raw)
        except (ValueError, yaml.YAMLError) as error:
            raise TocsinError(
                f"the column mapping is not valid: {' '.join(str(error).split())}",
                fix="see docs/methodology/events.md for the mapping's fields",
            ) from error
    parsed = parse_events(upload.data, upload.fmt, file_name=upload.file_name, mapping=mapping)
    rejected = parsed.rejected.to_csv(index=False) if parsed.problems else None
    problems = tuple(parsed.problems)
    if parsed.problems and not upload.skip_invalid:
        return ImportOutcome(
            "refused",
            n_rows=len(parsed.frame),
            message=f"{len(parsed.rejected)} of {parsed.n_rows} rows have problems; nothing "
            "was stored. Fix: correct the rows listed, or tick 'skip invalid rows' to import "
            "the valid ones.",
            problems=problems,
            rejected_csv=rejected,
        )
    n_rows = len(parsed.frame)
    report = storing(n_rows)
    with db.session() as session:
        summary = import_events(
            session, parsed, now=now, skip_invalid=upload.skip_invalid, progress=report
        )
    return ImportOutcome(
        "done",
        n_rows=n_rows,
        import_id=summary.import_id,
        summary=json.loads(json.dumps(summary.to_dict(), default=str)),
        problems=problems,
        rejected_csv=rejected,
        message=(
            f"Already imported (import {summary.import_id}): nothing added."
            if summary.already_imported
            else None
        ),
    )


#: Event files, registered by :func:`tocsin.events.web.include_events`.
EVENT_UPLOADS = UploadKind("events", tuple(EVENT_FORMATS), import_event_upload)
