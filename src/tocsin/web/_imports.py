"""Imports uploaded on the data page, run in the background: the kinds of file capabilities
add (:class:`UploadKind`, :func:`register_upload_kind`; event files, speech files).

An analyst or admin uploads a file; the request stores an import *job* (state in the
database, so a reload or another browser sees it) and hands the file to this process's
runner, which imports one file at a time in a background thread, as ``tocsin events
import`` and ``tocsin speech import`` do. A refused file keeps every problem (line, field,
reason) and its rejected rows for download.

Progress while rows are stored is kept in memory by the process that runs the import: on
SQLite the import's transaction holds the only write lock, so nothing else may write to
the database until it commits. The job's state (queued, parsing, storing, done, refused,
failed) is written at each step. A job whose process has gone (a restart) is shown as
failed: upload the file again (imports are idempotent, nothing is stored twice).
"""

from __future__ import annotations

import hashlib
import logging
import os
import socket
import threading
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

from fastapi import FastAPI
from pydantic import BaseModel, Field

from tocsin.errors import DataFileError, RowProblem, TocsinError
from tocsin.store import Database, audit
from tocsin.web._deps import WebContext
from tocsin.web._store import StoredImportJob, get_import_job, update_import_job

logger = logging.getLogger(__name__)

#: The largest file accepted (the whole file is held in memory while it is imported).
MAX_UPLOAD_BYTES = 200 * 1024 * 1024
#: Problems kept per job for the page (all rejected rows are kept for download).
MAX_PROBLEMS_KEPT = 1000
#: Rejected rows kept for download, in bytes of CSV.
MAX_REJECTED_BYTES = 20 * 1024 * 1024
ACTIVE = frozenset({"queued", "parsing", "storing"})


def worker_id() -> str:
    """How a job names the process that runs it (host and process id)."""
    return f"{socket.gethostname()}:{os.getpid()}"


@dataclass(frozen=True)
class Upload:
    """An uploaded file and the options of its import (those of the CLI commands)."""

    kind: str
    fmt: str
    file_name: str
    data: bytes
    skip_invalid: bool = False
    mapping: bytes | None = None  # events csv: the column mapping, YAML or JSON
    speech_columns: dict[str, str] = field(default_factory=dict)
    speech_defaults: dict[str, str] = field(default_factory=dict)
    country_scheme: str = "iso3"

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


#: Called by an importer once the file is parsed: the rows to store; returns the callback
#: to report how many are stored so far (the page's progress bar).
Storing = Callable[[int], Callable[[int], None]]


@dataclass(frozen=True)
class ImportOutcome:
    """What an importer made of a file: stored (``done``) or refused with its problems."""

    status: Literal["done", "refused"]
    n_rows: int
    import_id: int | None = None
    summary: dict[str, Any] = field(default_factory=dict)
    message: str | None = None
    problems: tuple[RowProblem, ...] = ()
    rejected_csv: str | None = None


@dataclass(frozen=True)
class UploadKind:
    """A kind of file the data page imports, offered by the capability that owns its data.

    ``run(upload, db, storing, now)`` parses and stores the file in its own transaction (a
    bad file raises :class:`~tocsin.errors.DataFileError`, and nothing is stored);
    ``rejected_rows(upload, problems)`` gives the refused rows as CSV for download.
    ``whole_file_only``: the kind cannot skip invalid rows.
    """

    name: str
    formats: tuple[str, ...]
    run: Callable[[Upload, Database, Storing, datetime], ImportOutcome]
    rejected_rows: Callable[[Upload, list[RowProblem]], str] | None = None
    whole_file_only: bool = False


def register_upload_kind(app: FastAPI, kind: UploadKind) -> None:
    """Let the data page import files of ``kind`` (a later one of the same name replaces it)."""
    context: WebContext = app.state.tocsin
    context.upload_kinds[kind.name] = kind


class ImportProblemOut(BaseModel):
    line: int | None
    field: str | None
    reason: str
    value: str | None = None


class ImportJobOut(BaseModel):
    """An uploaded import: where it stands and what came of it."""

    id: int
    kind: str
    format: str
    file_name: str
    n_bytes: int
    sha256: str
    skip_invalid: bool
    status: str = Field(description="queued, parsing, storing, done, refused or failed")
    finished: bool
    n_rows: int | None = Field(description="Valid rows to store (known once parsed).")
    n_done: int
    percent: float | None
    import_id: int | None
    summary: dict[str, Any]
    message: str | None
    n_problems: int = Field(description="Problems found in all (the first 1,000 are listed).")
    problems: list[ImportProblemOut]
    rejects_url: str | None
    created_by: str
    created_at: datetime | None
    started_at: datetime | None
    finished_at: datetime | None


def job_out(job: StoredImportJob, live: tuple[int, int | None] | None = None) -> ImportJobOut:
    """The job as shown, with the live count of rows stored if this process runs it."""
    n_done, n_rows = live if live is not None else (job.n_done, job.n_rows)
    if job.status == "done":
        n_done = n_rows or job.n_done
    percent = (
        round(100 * n_done / n_rows, 1) if n_rows else (100.0 if job.status == "done" else None)
    )
    return ImportJobOut(
        id=job.id,
        kind=job.kind,
        format=job.format,
        file_name=job.file_name,
        n_bytes=job.n_bytes,
        sha256=job.sha256,
        skip_invalid=job.skip_invalid,
        status=job.status,
        finished=job.status not in ACTIVE,
        n_rows=n_rows,
        n_done=n_done,
        percent=percent,
        import_id=job.import_id,
        summary=job.summary,
        message=job.message,
        n_problems=job.n_problems,
        problems=[ImportProblemOut(**p) for p in job.problems],
        rejects_url=f"/data/imports/{job.id}/rejects.csv" if job.has_rejected else None,
        created_by=job.created_by_username,
        created_at=job.created_at,
        started_at=job.started_at,
        finished_at=job.finished_at,
    )


def parse_pairs(text: str, what: str) -> dict[str, str]:
    """``FIELD=VALUE`` lines (or comma-separated) of the form, as the CLI's ``-m``/``-d``."""
    pairs: dict[str, str] = {}
    for part in text.replace(",", "\n").splitlines():
        if not part.strip():
            continue
        key, sep, value = part.partition("=")
        if not sep or not key.strip() or not value.strip():
            raise TocsinError(f"{what}: {part.strip()!r} is not FIELD=VALUE", fix="e.g. text=body")
        pairs[key.strip()] = value.strip()
    return pairs


def _problems(problems: Iterable[RowProblem]) -> list[dict[str, Any]]:
    return [
        {
            "line": p.line,
            "field": p.field,
            "reason": p.reason,
            "value": None if p.value is None else str(p.value)[:200],
        }
        for p in problems
    ][:MAX_PROBLEMS_KEPT]


def _cap(text: str) -> str:
    if len(text.encode()) <= MAX_REJECTED_BYTES:
        return text
    cut = text.encode()[:MAX_REJECTED_BYTES].decode(errors="ignore")
    return cut[: cut.rfind("\n") + 1] + "# … cut: more rejected rows than the page keeps\n"


class ImportRunner:
    """Runs uploaded imports of one application process, one at a time, in a thread.

    One at a time because SQLite has a single writer and imports are large writes.
    """

    def __init__(
        self,
        db: Database,
        kinds: dict[str, UploadKind],
        *,
        now: Callable[[], datetime] | None = None,
    ) -> None:
        self.db = db
        self.kinds = kinds
        self.now = now or (lambda: datetime.now(UTC))
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="tocsin-import")
        self._live: dict[int, tuple[int, int | None]] = {}
        self._lock = threading.Lock()

    def submit(self, job_id: int, upload: Upload, actor: str) -> None:
        """Run the job after the caller's transaction commits it (the thread waits for it)."""
        with self._lock:
            self._live[job_id] = (0, None)
        self._executor.submit(self._run, job_id, upload, actor)

    def live(self, job_id: int) -> tuple[int, int | None] | None:
        """Rows stored so far and rows in all, while this process runs the job."""
        with self._lock:
            return self._live.get(job_id)

    def is_running(self, job_id: int) -> bool:
        return self.live(job_id) is not None

    def shutdown(self) -> None:
        self._executor.shutdown(wait=True)

    def _set(self, job_id: int, **values: Any) -> None:
        with self.db.session() as session:
            update_import_job(session, job_id, **values)

    def _storing(self, job_id: int) -> Storing:
        def storing(n_rows: int) -> Callable[[int], None]:
            self._set(job_id, status="storing", n_rows=n_rows)

            def report(done: int) -> None:
                with self._lock:
                    self._live[job_id] = (done, n_rows)

            report(0)
            return report

        return storing

    def _finish(self, job_id: int, actor: str, status: str, **values: Any) -> None:
        now = self.now()
        with self.db.session() as session:
            update_import_job(session, job_id, status=status, finished_at=now, **values)
            audit(
                session,
                actor=actor,
                action=f"data.import.{status}",
                now=now,
                target=f"import_job:{job_id}",
                details={
                    k: values[k] for k in ("import_id", "n_problems", "n_rows") if k in values
                },
            )

    def _wait_for_job(self, job_id: int, timeout: float = 60.0) -> bool:
        """Wait until the request that made the job has committed it (True), or gave up."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.db.session() as session:
                if get_import_job(session, job_id) is not None:
                    return True
            time.sleep(0.05)
        return False

    def _run(self, job_id: int, upload: Upload, actor: str) -> None:
        kind = self.kinds[upload.kind]
        try:
            if not self._wait_for_job(job_id):
                logger.warning("import job %s was never committed; dropped", job_id)
                return
            self._set(job_id, status="parsing", started_at=self.now())
            outcome = kind.run(upload, self.db, self._storing(job_id), self.now())
            self._finish(
                job_id,
                actor,
                outcome.status,
                n_rows=outcome.n_rows,
                **({"n_done": outcome.n_rows} if outcome.status == "done" else {}),
                import_id=outcome.import_id,
                summary=outcome.summary,
                message=outcome.message,
                n_problems=len(outcome.problems),
                problems=_problems(outcome.problems),
                rejected_csv=_cap(outcome.rejected_csv) if outcome.rejected_csv else None,
            )
        except DataFileError as error:
            try:
                rejected = (
                    kind.rejected_rows(upload, error.problems) if kind.rejected_rows else None
                )
            except Exception:
                # the rows' download is an extra: the refusal and its problems must still show
                logger.exception("import job %s: its rejected rows could not be listed", job_id)
                rejected = None
            self._finish(
                job_id,
                actor,
                "refused",
                message=f"{error.path}: {len(error.problems)} problems, nothing was stored. "
                f"Fix: {error.fix}",
                n_problems=len(error.problems),
                problems=_problems(error.problems),
                rejected_csv=_cap(rejected) if rejected else None,
            )
        except TocsinError as error:
            self._finish(job_id, actor, "refused", message=str(error))
        except Exception:
            # The file's content is not logged: it may hold sensitive text.
            logger.exception("import job %s failed", job_id)
            self._finish(
                job_id,
                actor,
                "failed",
                message="The import failed on an unexpected error (logged on the server); "
                "nothing from this file was stored.",
            )
        finally:
            with self._lock:
                self._live.pop(job_id, None)


def import_runner(context: WebContext) -> ImportRunner:
    """This application's runner (made on first use)."""
    with _runner_lock:
        runner = context.cache.get("import_runner")
        if not isinstance(runner, ImportRunner):
            runner = ImportRunner(context.db, context.upload_kinds)
            context.cache["import_runner"] = runner
    return runner


_runner_lock = threading.Lock()


def is_orphaned(job: StoredImportJob, runner: ImportRunner) -> bool:
    """True if the job is unfinished but the process that ran it is gone.

    A job of another process on this host is orphaned when that process has exited; a
    job of another host cannot be checked and is left as it is.
    """
    if job.status not in ACTIVE:
        return False
    host, _, pid_text = job.worker.rpartition(":")
    if host != socket.gethostname() or not pid_text.isdigit():
        return False
    pid = int(pid_text)
    if pid == os.getpid():
        return not runner.is_running(job.id)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False
