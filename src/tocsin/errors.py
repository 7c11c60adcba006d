"""Errors that tell the user what went wrong and what to do next.

Every capability raises a subclass of :class:`TocsinError`. The CLI prints
``str(error)`` on one line (``--debug`` adds the traceback), so the message
itself must carry everything a user needs: where, what, and the fix.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


class TocsinError(Exception):
    """Base class for every error Tocsin reports to a user.

    Parameters
    ----------
    message : str
        What went wrong, in one sentence.
    fix : str, optional
        What the user can do about it.

    Examples
    --------
    >>> str(TocsinError("no database", fix="run `tocsin up` first"))
    'no database. Fix: run `tocsin up` first'
    """

    def __init__(self, message: str, *, fix: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.fix = fix

    def __str__(self) -> str:
        if self.fix:
            return f"{self.message}. Fix: {self.fix}"
        return self.message


@dataclass(frozen=True)
class RowProblem:
    """One bad value in a data file: where it is and why it was refused.

    ``line`` counts physical lines from 1, header included, as an editor shows them.
    """

    line: int | None
    field: str | None
    reason: str
    value: str | None = None

    def describe(self, path: str | Path | None = None) -> str:
        """Say where the problem is, as ``file:line: field 'x': reason (got 'v')``.

        >>> RowProblem(3, "year", "not a whole number", "19x9").describe("pts.csv")
        "pts.csv:3: field 'year': not a whole number (got '19x9')"
        """
        place = str(path) if path is not None else ""
        if self.line is not None:
            place = f"{place}:{self.line}" if place else f"line {self.line}"
        parts = [f"{place}:" if place else ""]
        if self.field is not None:
            parts.append(f"field {self.field!r}:")
        parts.append(self.reason)
        if self.value is not None:
            parts.append(f"(got {self.value!r})")
        return " ".join(p for p in parts if p)


@dataclass(eq=False)
class DataFileError(TocsinError):
    """A data file was refused; nothing from it was stored.

    Carries every problem found (not only the first), so a user can fix the
    file in one pass.

    Examples
    --------
    >>> err = DataFileError("pts.csv", [RowProblem(3, "year", "not a whole number", "19x9")])
    >>> print(err)
    pts.csv: 1 problem, nothing was stored
      pts.csv:3: field 'year': not a whole number (got '19x9'). Fix: correct the file and try again
    """

    path: str | Path
    problems: list[RowProblem] = field(default_factory=list)
    fix_hint: str = "correct the file and try again"
    max_shown: int = 20

    def __post_init__(self) -> None:
        TocsinError.__init__(self, self._summary(), fix=self.fix_hint)

    def _summary(self) -> str:
        n = len(self.problems)
        return f"{self.path}: {n} problem{'s' if n != 1 else ''}, nothing was stored"

    def __str__(self) -> str:
        lines = [self._summary()]
        shown = self.problems[: self.max_shown]
        for i, problem in enumerate(shown):
            text = problem.describe(self.path)
            if i == len(shown) - 1 and self.fix:
                text += f". Fix: {self.fix}"
            lines.append(f"  {text}")
        if len(self.problems) > self.max_shown:
            lines.append(f"  … and {len(self.problems) - self.max_shown} more")
        return "\n".join(lines)
