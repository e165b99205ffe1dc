"""File names for an experiment's per-instance tables and figures (issue 32).

A name is reduced to the characters every file system and LaTeX label take (ASCII
letters and digits, `-` between runs of them, lower case), then made unique among the
experiment's instances: `Probe_A` and `probe a` both reduce to `probe-a`, and every
all-CJK name to nothing, so the second and later of a group of equal reductions get
`-2`, `-3`, ... in the order of the names themselves. The same store always gives the
same names, so tables and figures rebuilt from it overwrite their own files only.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from experiments.store import VARIANT, Store

#: The name of an instance whose name keeps no ASCII letter or digit.
NAMELESS = "instance"


def slug(text: str) -> str:
    """`text` reduced to ASCII letters and digits joined by `-`, lower case (may be empty)."""
    return re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-").lower()


def unique_slugs(labels: Iterable[str]) -> dict[str, str]:
    """Each label's file name (module docstring)."""
    out: dict[str, str] = {}
    taken: set[str] = set()
    for label in sorted(set(labels)):
        base = slug(label) or NAMELESS
        name, k = base, 1
        while name in taken:
            k += 1
            name = f"{base}-{k}"
        taken.add(name)
        out[label] = name
    return out


def instance_names(store: Store) -> dict[str, str]:
    """The file name of every instance the store holds runs or tables of (its variants,
    `NAME@...`, get no files of their own)."""
    return unique_slugs(label for label in store.instances() if VARIANT not in label)
