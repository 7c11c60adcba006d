"""Routes of imports uploaded on the data page: upload, progress, problems, rejected rows.

Only roles holding ``data:import`` (admins, analysts) upload or see import jobs; every
upload, outcome and download of rejected rows is written to the audit log.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, File, Form, HTTPException, Request, UploadFile
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse, RedirectResponse, Response

from tocsin.domain import spreadsheet_safe_csv
from tocsin.errors import TocsinError
from tocsin.store import audit
from tocsin.web._deps import ContextDep, Requires, SessionDep, utc_now
from tocsin.web._imports import (
    MAX_UPLOAD_BYTES,
    ImportJobOut,
    Upload,
    import_runner,
    is_orphaned,
    job_out,
    parse_pairs,
    worker_id,
)
from tocsin.web._render import page, wants_json
from tocsin.web._security import Principal
from tocsin.web._store import (
    ImportJobCreate,
    create_import_job,
    get_import_job,
    get_import_rejects,
    list_import_jobs,
    update_import_job,
)

router = APIRouter(include_in_schema=False)
Importer = Annotated[Principal, Depends(Requires("data:import"))]


def _read(upload: UploadFile, what: str) -> bytes:
    data = upload.file.read(MAX_UPLOAD_BYTES + 1)
    if len(data) > MAX_UPLOAD_BYTES:
        raise HTTPException(
            413,
            f"{what} {upload.filename!r} is larger than {MAX_UPLOAD_BYTES // 2**20} MB: "
            "import it with the command line (`tocsin events import`), which streams it",
        )
    return data


def visible_jobs(context: ContextDep, session: SessionDep, limit: int = 20) -> list[ImportJobOut]:
    """The latest jobs, with live progress, and unfinished jobs of a gone process failed."""
    runner = import_runner(context)
    jobs = []
    for job in list_import_jobs(session, limit=limit):
        if is_orphaned(job, runner):
            update_import_job(
                session,
                job.id,
                status="failed",
                finished_at=utc_now(),
                message="The server stopped during this import; nothing from it was stored. "
                "Upload the file again.",
            )
            job = get_import_job(session, job.id) or job
        jobs.append(job_out(job, runner.live(job.id)))
    return jobs


@router.post("/data/imports")
def upload_import(
    request: Request,
    context: ContextDep,
    session: SessionDep,
    principal: Importer,
    file: Annotated[UploadFile, File(description="The event or speech file.")],
    fmt: Annotated[str, Form(alias="format")],
    kind: Annotated[str, Form()] = "events",
    skip_invalid: Annotated[bool, Form()] = False,
    mapping: Annotated[UploadFile | None, File()] = None,
    speech_columns: Annotated[str, Form()] = "",
    speech_defaults: Annotated[str, Form()] = "",
    country_scheme: Annotated[str, Form(max_length=20)] = "iso3",
) -> Response:
    """Store the upload as an import job and start it in the background.

    ``format`` is ``events:ucdp`` or ``speech:csv`` (the form's choices), or the format
    alone with ``kind``.
    """
    if ":" in fmt:
        kind, fmt = fmt.split(":", 1)
    kinds = context.upload_kinds
    if kind not in kinds:
        raise HTTPException(422, f"kind {kind!r}: use one of {', '.join(kinds)}")
    if fmt not in kinds[kind].formats:
        accepted = ", ".join(kinds[kind].formats)
        raise HTTPException(422, f"{kind} files: format {fmt!r} is not one of {accepted}")
    if skip_invalid and kinds[kind].whole_file_only:
        raise HTTPException(
            422, f"{kind} files are imported whole or refused: untick 'skip invalid rows'"
        )
    data = _read(file, "the file")
    if not data.strip():
        raise HTTPException(422, f"the file {file.filename!r} is empty")
    name = (file.filename or "upload").rsplit("/", 1)[-1][:300]
    has_mapping = mapping is not None and bool(mapping.filename)
    mapping_data = _read(mapping, "the mapping") if mapping and has_mapping else None
    try:
        columns = parse_pairs(speech_columns, "columns")
        defaults = parse_pairs(speech_defaults, "defaults")
    except TocsinError as error:
        raise HTTPException(422, str(error)) from None
    job = Upload(
        kind=kind,
        fmt=fmt,
        file_name=name,
        data=data,
        skip_invalid=skip_invalid,
        mapping=mapping_data,
        speech_columns=columns,
        speech_defaults=defaults,
        country_scheme=country_scheme,
    )
    now = utc_now()
    job_id = create_import_job(
        session,
        ImportJobCreate(
            kind=kind,
            format=fmt,
            file_name=name,
            n_bytes=len(data),
            sha256=job.sha256,
            skip_invalid=skip_invalid,
            worker=worker_id(),
            created_by=principal.user.id,
        ),
        now=now,
    )
    audit(
        session,
        actor=principal.actor,
        action="data.import.upload",
        now=now,
        target=f"import_job:{job_id}",
        details={"kind": kind, "format": fmt, "file": name, "bytes": len(data)},
    )
    # The runner's thread waits until this request's transaction has committed the job.
    import_runner(context).submit(job_id, job, principal.actor)
    if wants_json(request):
        stored = get_import_job(session, job_id)
        assert stored is not None  # made above, in this transaction
        return JSONResponse(jsonable_encoder(job_out(stored)), status_code=202)
    return RedirectResponse(f"/data/imports/{job_id}", status_code=303)


def _job(context: ContextDep, session: SessionDep, job_id: int) -> ImportJobOut:
    stored = get_import_job(session, job_id)
    if stored is None:
        raise HTTPException(404, "no such import")
    runner = import_runner(context)
    if is_orphaned(stored, runner):
        visible_jobs(context, session, limit=200)
        stored = get_import_job(session, job_id) or stored
    return job_out(stored, runner.live(job_id))


@router.get("/data/imports/{job_id}")
def import_page(
    request: Request, job_id: int, context: ContextDep, session: SessionDep, _user: Importer
) -> Response:
    job = _job(context, session, job_id)
    return page(request, "import_job.html", job, title=f"Import {job.id}: {job.file_name}")


@router.get("/data/imports/{job_id}/status")
def import_status(
    request: Request, job_id: int, context: ContextDep, session: SessionDep, _user: Importer
) -> Response:
    """The job's progress: a fragment that HTMX swaps in every second, or JSON."""
    job = _job(context, session, job_id)
    if wants_json(request):
        return JSONResponse(jsonable_encoder(job))
    return context.templates.TemplateResponse(request, "_import_status.html", {"job": job})


@router.get("/data/imports/{job_id}/rejects.csv")
def import_rejects(job_id: int, session: SessionDep, principal: Importer) -> Response:
    """The rows the import refused, as read, with their line and problems (audited)."""
    rejects = get_import_rejects(session, job_id)
    if rejects is None:
        raise HTTPException(404, "this import has no rejected rows")
    audit(
        session,
        actor=principal.actor,
        action="data.import.rejects_download",
        now=utc_now(),
        target=f"import_job:{job_id}",
    )
    # The refused rows are the uploaded file's own cells: any may be a planted formula.
    return Response(
        spreadsheet_safe_csv(rejects),
        media_type="text/csv; charset=utf-8",
        headers={"content-disposition": f'attachment; filename="import-{job_id}-rejects.csv"'},
    )
