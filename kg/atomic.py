"""Write a folder atomically: everything goes to a temporary sibling folder first, and the previous
good folder (a release, a store) is swapped out only once the new one is complete."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path


def recover(final: Path) -> None:
    """Put back a previous release if a swap was interrupted between its two renames."""
    old = final.with_name(final.name + ".old")
    if old.exists() and not final.exists():
        os.replace(old, final)
    elif old.exists():
        shutil.rmtree(old, ignore_errors=True)


def atomic_dir(final: Path, write: Callable[[Path], None]) -> None:
    """Call write(tmp) on a fresh temporary folder, then swap it in place of `final`.

    If write raises, the temporary folder is removed and `final` is untouched.
    """
    final.parent.mkdir(parents=True, exist_ok=True)
    recover(final)
    tmp = Path(tempfile.mkdtemp(prefix=f".{final.name}-", dir=final.parent))
    try:
        write(tmp)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    old = final.with_name(final.name + ".old")
    if final.exists():
        os.replace(final, old)
    os.replace(tmp, final)
    shutil.rmtree(old, ignore_errors=True)
