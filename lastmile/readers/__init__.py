"""Read any supported instance file into the shared `Instance`.

`load_instance(spec)` picks the reader from the file: `.json` (the toolkit's format),
`.vrp` (CVRPLIB), `cap*.txt` (OR-Library CFLP), other `.txt` (Solomon VRPTW),
`.vrpspd` (LKH-3's VRPSPD layout, Dethloff), `.dat` (Prodhon LRP, or the 2E-VRP's
unified format when its first comment names the trucks: the suffix is shared). A prefix
`KIND:` forces a reader (`sscflp:p1` for Holmberg files, which have no extension),
and a suffix `#capacity=N` supplies the capacity that `capa/b/c` leave as a word.
"""

from __future__ import annotations

import os
from pathlib import Path

from lastmile.errors import InstanceError
from lastmile.memory import MEMORY_SHARE, check_memory
from lastmile.model import Instance
from lastmile.readers.cvrplib import read_cvrplib, read_cvrplib_cost, read_cvrplib_solution
from lastmile.readers.facility import read_orlib_cap, read_sscflp
from lastmile.readers.json_format import parse_json_instance, read_json_instance
from lastmile.readers.physics import check_instance, check_reachable, number
from lastmile.readers.prodhon import read_prodhon
from lastmile.readers.solomon import read_solomon
from lastmile.readers.two_echelon import looks_like, read_two_echelon
from lastmile.readers.vrpspd import read_vrpspd

KINDS = ("json", "cvrplib", "orlib-cap", "sscflp", "prodhon", "solomon", "vrpspd", "2evrp")

__all__ = [
    "KINDS",
    "load_instance",
    "parse_json_instance",
    "read_cvrplib",
    "read_cvrplib_cost",
    "read_cvrplib_solution",
    "read_json_instance",
    "read_orlib_cap",
    "read_prodhon",
    "read_solomon",
    "read_sscflp",
    "read_two_echelon",
    "read_vrpspd",
    "spec_path",
    "split_spec",
]


def detect_kind(path: Path) -> str | None:
    suffix = path.suffix.lower()
    if suffix == ".json":
        return "json"
    if suffix == ".vrp":
        return "cvrplib"
    if suffix == ".dat":
        return "2evrp" if _head_is_2evrp(path) else "prodhon"
    if suffix == ".vrpspd":
        return "vrpspd"
    if suffix == ".txt":
        return "orlib-cap" if path.name.lower().startswith("cap") else "solomon"
    return None


def _head_is_2evrp(path: Path) -> bool:
    """A `.dat` file's first lines name the 2E-VRP's trucks (Prodhon's hold numbers only)."""
    try:
        with path.open("rb") as handle:
            head = handle.read(512).decode("utf-8", errors="replace")
    except OSError:
        return False  # the reader says what is wrong with the file
    return looks_like(head)


def split_spec(spec: str | Path) -> tuple[str | None, str, str]:
    """`[KIND:]PATH[#KEY=VALUE]` as (kind or None, path text, variant). A `#` is
    part of the file name unless what follows the last one is `KEY=VALUE` and the
    whole text names no file."""
    text = str(spec)
    kind = None
    head, sep, rest = text.partition(":")
    if sep and head in KINDS:
        kind, text = head, rest
    path, hash_sign, variant = text.rpartition("#")
    if hash_sign and "=" in variant and "/" not in variant and not exists(text):
        return kind, path, variant
    return kind, text, ""


def exists(text: str) -> bool:
    """Whether a path names something, False where the system refuses even to look
    (a name too long): the caller then says what it could not find."""
    try:
        return os.path.lexists(text)
    except (OSError, ValueError):
        return False


def spec_path(spec: str | Path) -> Path:
    """The file an instance spec names."""
    return Path(split_spec(spec)[1])


def load_instance(spec: str | Path, memory_share: float = MEMORY_SHARE) -> Instance:
    """Load `[KIND:]PATH[#capacity=N]`; raise `InstanceError` for anything wrong: the
    file, the physics (`check_instance`), an instance whose largest stage would take more
    than `memory_share` of the machine's memory (`lastmile.memory`), or a node no vehicle
    can serve (`check_reachable`, on the distance tables it computes and keeps)."""
    kind, text, variant = split_spec(spec)
    path = Path(text)
    _check_file(text, path)
    kind = kind or detect_kind(path)
    if kind is None:
        raise InstanceError(
            text,
            "",
            "unknown file kind: use .json, .vrp, .vrpspd, cap*.txt, .txt (Solomon) or .dat (Prodhon, 2E-VRP), "
            "or a prefix " + ", ".join(f"{k}:" for k in KINDS),
        )
    capacity = None
    if variant:
        key, _, value = variant.partition("=")
        if key != "capacity" or kind != "orlib-cap":
            raise InstanceError(text, f"#{variant}", "the only variant is '#capacity=N', for OR-Library cap files")
        capacity = number(text, f"#{variant}", value, what="capacity")
    try:
        instance = _read(kind, path, capacity)
    except RecursionError:
        raise InstanceError(text, "", "nested too deeply to be an instance") from None
    except MemoryError:
        raise InstanceError(text, "", "too large to read into memory") from None
    check_instance(instance)
    check_memory(instance, memory_share)
    check_reachable(instance)
    return instance


def _check_file(text: str, path: Path) -> None:
    """The spec names a regular file (not a folder, a pipe, a device or a broken link)."""
    if not text:
        raise InstanceError("(command line)", "--instances", "an empty file name")
    try:
        if path.is_dir():
            raise InstanceError(text, "", "is a folder, not an instance file")
        if path.is_file():
            return
        if path.exists():
            raise InstanceError(text, "", "is not a regular file (a pipe, a device or a socket)")
    except OSError as exc:
        raise InstanceError(text, "", f"cannot read the file ({exc.strerror or exc})") from None
    if os.path.islink(text):
        raise InstanceError(text, "", "is a broken link (or a loop of links)")
    raise InstanceError(text, "", "no such file")


def _read(kind: str, path: Path, capacity: float | None) -> Instance:
    if kind == "json":
        return read_json_instance(path)
    if kind == "cvrplib":
        return read_cvrplib(path)
    if kind == "orlib-cap":
        return read_orlib_cap(path, capacity)
    if kind == "sscflp":
        return read_sscflp(path)
    if kind == "solomon":
        return read_solomon(path)
    if kind == "vrpspd":
        return read_vrpspd(path)
    if kind == "2evrp":
        return read_two_echelon(path)
    return read_prodhon(path)
