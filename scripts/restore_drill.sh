#!/usr/bin/env bash
# Restore drill: prove that a backup restores, without touching the database in service.
#
# A backup nobody has restored is a hope, not a backup. Run this after each backup (from
# cron, say) on a machine that is not the server. It restores into a scratch folder (and,
# for PostgreSQL, a scratch database you name), checks that the key ring opens every
# sealed identity of the copy (`tocsin restore` refuses otherwise), that the migrations are
# current and that the audit log's hash chain is intact, and exits non-zero on any failure.
#
# SQLite (a copy made by `tocsin backup COPY.db --keys KEYS.json`):
#   scripts/restore_drill.sh --keys KEYS.json --sqlite COPY.db
# PostgreSQL (a dump made by `pg_dump -Fc -f DUMP` and the ring by `tocsin backup --keys`):
#   scripts/restore_drill.sh --keys KEYS.json --pg-dump DUMP \
#       --pg-url postgresql+psycopg://postgres@127.0.0.1:5432/tocsin_drill
# The scratch database must exist and be empty (createdb tocsin_drill); the drill restores
# into it with pg_restore, so it must never be the database in service.
#
# TOCSIN names the command to run (default: tocsin on PATH).
set -euo pipefail

usage() {
    sed -n '2,19p' "$0" | sed 's/^# \{0,1\}//'
    exit 2
}

keys="" sqlite_copy="" pg_dump_file="" pg_url=""
while [[ $# -gt 0 ]]; do
    case "$1" in
        --keys) keys="$2"; shift 2 ;;
        --sqlite) sqlite_copy="$2"; shift 2 ;;
        --pg-dump) pg_dump_file="$2"; shift 2 ;;
        --pg-url) pg_url="$2"; shift 2 ;;
        -h|--help) usage ;;
        *) echo "restore drill: unknown argument $1 (see --help)" >&2; exit 2 ;;
    esac
done
if [[ -z "$keys" || ( -z "$sqlite_copy" && -z "$pg_dump_file" ) ]]; then
    echo "restore drill: give --keys and either --sqlite or --pg-dump with --pg-url" >&2
    exit 2
fi
if [[ -n "$pg_dump_file" && -z "$pg_url" ]]; then
    echo "restore drill: --pg-dump needs --pg-url, the scratch database to restore into" >&2
    exit 2
fi

tocsin="${TOCSIN:-tocsin}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
# Everything the drill writes stays in $work: the data folder and the key file both, so
# the machine's own key ring is never replaced.
export TOCSIN_HOME="$work/home"
export TOCSIN_WEB_IDENTITY_KEY_FILE="$work/keys/identity-keys.json"
unset TOCSIN_WEB_IDENTITY_KEYS TOCSIN_DATABASE_URL

if [[ -n "$sqlite_copy" ]]; then
    echo "restore drill: restoring $sqlite_copy into a scratch folder"
    "$tocsin" restore "$sqlite_copy" --keys "$keys" --json >"$work/restore.json"
else
    # pg_restore speaks libpq URLs, not SQLAlchemy's driver-qualified ones
    libpq_url="${pg_url/postgresql+psycopg:/postgresql:}"
    libpq_url="${libpq_url%%\?*}"
    echo "restore drill: restoring $pg_dump_file into the scratch database"
    pg_restore --no-owner --exit-on-error --dbname "$libpq_url" "$pg_dump_file"
    export TOCSIN_DATABASE_URL="$pg_url"
    "$tocsin" restore --keys "$keys" --json >"$work/restore.json"
fi
values="$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["n_values"])' "$work/restore.json")"
echo "restore drill: the key ring opens all $values sealed values"
"$tocsin" db status
"$tocsin" db verify-audit
echo "restore drill passed"
