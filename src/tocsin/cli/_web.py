"""`tocsin serve` and `tocsin web`: run the web application, manage users and identity keys."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Annotated

import typer

from tocsin.cli._common import print_json, state, stderr, stdout
from tocsin.errors import TocsinError

if TYPE_CHECKING:
    from tocsin.settings import Settings

web_app = typer.Typer(
    name="web",
    help="Users and identity keys of the web application.",
    no_args_is_help=True,
    rich_markup_mode=None,
)

HostOption = Annotated[str, typer.Option("--host", help="Address to listen on.")]
PortOption = Annotated[int, typer.Option("--port", help="Port to listen on.")]


def print_key_notice(settings: Settings, *, first_run: bool = False) -> None:
    """Say on stderr where the key ring is when it was just made, and how to move one
    still kept beside the database (an older Tocsin's default)."""
    from tocsin.web import key_file_notice

    web = settings.web
    notice = key_file_notice(settings, web)
    if notice:
        stderr.print(f"Warning: {notice}.", highlight=False)
    elif first_run and not web.identity_keys:
        stderr.print(
            f"Identity key ring: {web.key_file(settings)}. Back it up apart from the "
            "database (`tocsin backup`): without it no identity can be read.",
            highlight=False,
        )


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
    print_key_notice(settings)
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


@web_app.command("key-file")
def key_file(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
) -> None:
    """Print where the identity key ring is (or would be made), and whether it is there.

    Kept outside the data folder (the per-user config folder) unless
    TOCSIN_WEB_IDENTITY_KEY_FILE says otherwise, so that a copy of the data folder does
    not hold the key to its identities. See docs/web.md (Identities at rest).

    Example: `cp "$(tocsin web key-file)" /safe/place/`
    """
    settings = state(ctx).settings
    web = settings.web
    path = web.key_file(settings)
    if as_json:
        print_json(
            {
                "key_file": str(path),
                "exists": path.is_file(),
                "from_environment": bool(web.identity_keys),
            }
        )
        return
    print_key_notice(settings)
    if web.identity_keys:
        stderr.print("The key ring in force comes from TOCSIN_WEB_IDENTITY_KEYS.")
    stdout.print(str(path), highlight=False)


def register(root: typer.Typer) -> None:
    """Add `tocsin serve` and `tocsin web` to the root CLI."""
    root.command("serve")(serve_command)
    root.add_typer(web_app)
