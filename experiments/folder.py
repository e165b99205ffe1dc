"""An experiment's output folder: whether it may be written, one writer at a time, and
the instance files its runs were made from.

Checked before anything is made, so a refused command leaves no half-made folder.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from experiments.store import STORE_NAME

LOCK_NAME = ".lock"


class ExperimentError(Exception):
    """A request the experiment cannot honour (e.g. a folder holding another experiment)."""


def check_folder(folder: Path, *, resume: bool, reuse: bool = False) -> None:
    """The folder can take this experiment: a folder (or nothing yet) that this user may
    write, holding an experiment exactly when `resume` asks to continue one, and nothing
    else unless `reuse` says its other files may sit beside (and those of the
    experiment's names be replaced); no entry of it is a symbolic link, so no output
    leaves the folder (issue 32)."""
    if folder.exists() and not folder.is_dir():
        raise ExperimentError(f"--out {folder}: is a file, not a folder")
    entries = sorted(folder.iterdir()) if folder.is_dir() else []
    link = next((e for e in entries if e.is_symlink()), None)
    if link is not None:
        raise ExperimentError(
            f"--out {folder}: {link.name} is a symbolic link (to {os.readlink(link)}): outputs never follow a "
            "link out of the folder; remove it, or choose another --out"
        )
    existing = next((p for p in (folder.absolute(), *folder.absolute().parents) if p.exists()), Path("/"))
    try:  # a real write: permission bits do not tell for root, nor for read-only file systems
        handle, probe = tempfile.mkstemp(dir=existing, prefix=".lastmile-write-test-")
        os.close(handle)
        os.unlink(probe)
    except OSError as exc:
        what = "the folder" if existing == folder.absolute() else f"{existing}, where it would be made,"
        raise ExperimentError(f"--out {folder}: cannot write there ({what} refuses: {exc.strerror or exc})") from None
    store = folder / STORE_NAME
    if resume and not store.is_file():
        raise ExperimentError(
            f"--resume: {folder} holds no experiment (no {STORE_NAME}); leave out --resume to start one"
        )
    if store.is_file() and not resume:
        raise ExperimentError(
            f"{folder} already holds an experiment: pass --resume to continue it, or --out for a new folder"
        )
    foreign = [e.name for e in entries if e.name != LOCK_NAME]
    if foreign and not store.is_file() and not reuse:
        shown = ", ".join(foreign[:3]) + (f" and {len(foreign) - 3} more" if len(foreign) > 3 else "")
        raise ExperimentError(
            f"--out {folder}: holds files that are not an experiment ({shown}); choose a new or empty folder, "
            "or pass --reuse-folder to write beside them (files of the report's names are replaced)"
        )


@contextmanager
def locked(folder: Path) -> Iterator[bool]:
    """Hold the folder's lock (an advisory `flock` on `.lock`, released by the kernel
    when the process ends, however it ends) while the block writes to the folder; the
    block gets whether this process made the folder (its own `mkdir` did, so no other
    process can also believe it), which alone may then remove it while the lock is held."""
    try:
        folder.mkdir(parents=True)
        made = True
    except FileExistsError:
        made = False
    with open(folder / LOCK_NAME, "a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "unknown"
            raise ExperimentError(
                f"{folder} is in use by another process (pid {holder}): wait for it to finish, or use another --out"
            ) from None
        handle.seek(0)
        handle.truncate()
        handle.write(f"{os.getpid()}\n")
        handle.flush()
        try:
            yield made
        finally:
            handle.truncate(0)
            fcntl.flock(handle, fcntl.LOCK_UN)


def input_hashes(files: Iterable[tuple[str, Path]]) -> dict[str, str]:
    """Each instance's label with its file's SHA-256 (a file named by several labels is
    read once)."""
    digests: dict[Path, str] = {}
    out = {}
    for label, path in files:
        if path not in digests:
            with open(path, "rb") as handle:
                digests[path] = hashlib.file_digest(handle, "sha256").hexdigest()
        out[label] = digests[path]
    return out
