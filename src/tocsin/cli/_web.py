"""`tocsin serve` and `tocsin web`: run the web application, manage users and identity keys."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

import typer

from tocsin.cli._common import print_json, state, stderr, stdout
from tocsin.errors import TocsinError

web_app = typer.Typer(
    name="web",
    help="Users and identity keys of the web application.",
    no_args_is_help=True,
    rich_markup_mode=None,
)

HostOption = Annotated[str, typer.Option("--host", help="Address to listen on.")]
PortOption = Annotated[int, typer.Option("--port", help="Port to listen on.")]


def serve_command(
    ctx: typer.Context,
    host: HostOption = "127.0.0.1",
    port: PortOption = 8000,
    workers: Annotated[
        int, typer.Option("--workers", min=1, help="Server processes (about one per core).")
    ] = 1,
) -> None:
    """Serve the web application and API (the database must be set up by `tocsin up`).

    Listens on 127.0.0.1:8000 by default; put a TLS-terminating proxy in front of it for
    anything but this machine. Stop with Ctrl-C.

    Example: `tocsin serve --port 8080`
    """
    from tocsin.store import Database
    from tocsin.web import serve

    settings = state(ctx).settings
    db = Database.from_settings(settings)
    try:
        db.require_current()
    finally:
        db.dispose()
    stderr.print(f"Tocsin is at http://{host}:{port}/ (Ctrl-C stops it).")
    serve(settings, host=host, port=port, workers=workers)


@web_app.command("user-add")
def user_add(
    ctx: typer.Context,
    username: Annotated[str, typer.Argument(help="Sign-in name.")],
    role: Annotated[
        str, typer.Option("--role", help="admin, analyst, reviewer, monitor or viewer.")
    ] = "viewer",
    name: Annotated[str | None, typer.Option("--name", help="Display name.")] = None,
) -> None:
    """Add a user with a one-time password, printed once (they change it at first sign-in).

    Example: `tocsin web user-add amina --role monitor --name "Amina K."`
    """
    from tocsin.store import Database, audit
    from tocsin.web import (
        ROLES,
        create_user,
        get_user_by_username,
        hash_password,
        one_time_password,
    )

    if role not in ROLES:
        raise TocsinError(f"unknown role {role!r}", fix=f"use one of: {', '.join(ROLES)}")
    db = Database.from_settings(state(ctx).settings)
    now = datetime.now(UTC)
    try:
        db.require_current()
        with db.session() as session:
            if get_user_by_username(session, username) is not None:
                raise TocsinError(f"user {username!r} exists", fix="choose another name")
            password = one_time_password()
            create_user(
                session,
                username=username,
                display_name=name or username,
                role=role,
                password_hash=hash_password(password),
                now=now,
                must_change_password=True,
            )
            audit(
                session,
                actor="cli",
                action="user.create",
                target=username,
                now=now,
                details={"role": role},
            )
    finally:
        db.dispose()
    stdout.print(f"User {username} ({role}) added. One-time password (shown only now): {password}")


@web_app.command("rotate-key")
def rotate_key(
    ctx: typer.Context,
    keep_old: Annotated[
        bool, typer.Option("--keep-old", help="Keep the old keys in the key ring.")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
) -> None:
    """Rotate the identity encryption key: new key, re-encrypt every identity, retire old keys.

    Back up the key file and the database first. See docs/web.md (Key rotation).

    Example: `tocsin web rotate-key`
    """
    from tocsin.web import rotate_identity_key

    result = rotate_identity_key(
        state(ctx).settings,
        state(ctx).settings.web,
        now=datetime.now(UTC),
        retire=not keep_old,
    )
    if as_json:
        print_json(vars(result))
        return
    stdout.print(
        f"New active key {result.new_key_id}; {result.n_reencrypted} values re-encrypted; "
        f"retired: {', '.join(result.retired) or 'none'}."
    )


def register(root: typer.Typer) -> None:
    """Add `tocsin serve` and `tocsin web` to the root CLI."""
    root.command("serve")(serve_command)
    root.add_typer(web_app)
