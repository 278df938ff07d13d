"""Errors that name the file, line and term, so a curator can fix the source directly."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from typing import NoReturn


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the sources, located as precisely as we can."""

    file: str
    line: int | None
    term: str | None
    message: str

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        term = f" [{self.term}]" if self.term else ""
        return f"{where}:{term} {self.message}"


class LbpError(Exception):
    """Base class: an expected failure that the CLI reports without a traceback."""


class SourceError(LbpError):
    """The curated sources are invalid; carries every problem found, not just the first."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


class BuildError(LbpError):
    """A build step failed (reasoner, SHACL, writing the release)."""


def exit_with(exc: Exception) -> NoReturn:
    """What every command does with an expected failure: one `error:` line per problem on
    standard error, exit status 1, no traceback."""
    lines = [str(p) for p in exc.problems] if isinstance(exc, SourceError) else str(exc).splitlines() or [repr(exc)]
    for line in lines:
        print(f"error: {line}", file=sys.stderr)
    sys.exit(1)
