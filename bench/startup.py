"""Start-up cost of the command line: CPU seconds per command, with PYTHONDONTWRITEBYTECODE set.

Usage: uv run python bench/startup.py [--repeat 3] [--json]

Runs ``tocsin --version``, ``tocsin --help``, every command's ``--help`` (top-level ones,
and with ``--all`` every sub-command's too) and ``tocsin framework --json`` as separate
processes (the installed ``tocsin`` script of this
environment, as a user runs it) and reports the smallest user+system CPU time of
``--repeat`` runs of each: CPU time, not wall time, so a busy machine changes it less.
Targets (issue 14): every ``--version`` and ``--help`` under 0.3 s, ``framework --json``
under 1 s.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
from pathlib import Path

TARGETS = {"help": 0.3, "framework --json": 1.0}


def cpu_seconds(command: list[str], env: dict[str, str]) -> float:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def sub_commands() -> list[tuple[str, ...]]:
    """Every command path two or more levels deep (``speech score``, ``alerts rules add``)."""
    import typer

    from tocsin.cli import app

    def walk(command: object, prefix: tuple[str, ...]) -> list[tuple[str, ...]]:
        found = [prefix] if len(prefix) > 1 else []
        for name, child in sorted((getattr(command, "commands", {}) or {}).items()):
            if not getattr(child, "hidden", False):
                found += walk(child, (*prefix, name))
        return found

    return walk(typer.main.get_command(app), ())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--all", action="store_true", help="every sub-command's --help too")
    options = parser.parse_args()

    from tocsin.cli import COMMAND_HELP

    script = shutil.which("tocsin", path=str(Path(sys.executable).parent)) or "tocsin"
    env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1")
    cases = {"--version": ["--version"], "--help": ["--help"]}
    cases |= {f"{name} --help": [name, "--help"] for name in COMMAND_HELP}
    if options.all:
        cases |= {f"{' '.join(path)} --help": [*path, "--help"] for path in sub_commands()}
    cases["framework --json"] = ["framework", "--json"]
    figures = {
        label: min(cpu_seconds([script, *args], env) for _ in range(options.repeat))
        for label, args in cases.items()
    }
    worst_help = max(v for k, v in figures.items() if k != "framework --json")
    summary = {
        "cpu_seconds": {k: round(v, 3) for k, v in figures.items()},
        "worst_help_or_version": round(worst_help, 3),
        "help_target_met": worst_help < TARGETS["help"],
        "framework_json_target_met": figures["framework --json"] < TARGETS["framework --json"],
        "load_average": os.getloadavg()[0],
    }
    if options.json:
        print(json.dumps(summary, indent=2))  # noqa: T201 - a benchmark prints its figures
        return
    for label, seconds in figures.items():
        print(f"{label:22} {seconds:6.2f} s CPU")  # noqa: T201
    print(  # noqa: T201
        f"worst --help/--version {worst_help:.2f} s (target < 0.3); "
        f"load average {summary['load_average']:.1f}"
    )


if __name__ == "__main__":
    main()
