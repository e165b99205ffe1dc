"""A cursor over the whitespace-separated numbers of OR-Library style files.

The formats (OR-Library, Holmberg, Prodhon) are bare number streams with no
library that reads them all; this keeps the error reporting in one place.
"""

from __future__ import annotations

from pathlib import Path

from lastmile.errors import InstanceError


class Tokens:
    def __init__(self, path: str | Path) -> None:
        self.file = str(path)
        try:
            text = Path(path).read_text(encoding="utf-8", errors="replace")
        except OSError as exc:
            raise InstanceError(self.file, "", f"cannot read the file ({exc})") from None
        self.items = text.replace("\x00", " ").split()
        self.pos = 0

    def word(self, what: str) -> str:
        if self.pos >= len(self.items):
            raise InstanceError(self.file, f"token {self.pos + 1}", f"file ends before {what}")
        self.pos += 1
        return self.items[self.pos - 1]

    def number(self, what: str) -> float:
        token = self.word(what)
        try:
            value = float(token)
        except ValueError:
            raise InstanceError(self.file, f"token {self.pos}", f"{what}: {token!r} is not a number") from None
        if value != value or value in (float("inf"), float("-inf")) or value < 0:
            raise InstanceError(self.file, f"token {self.pos}", f"{what}: {token!r} must be finite and non-negative")
        return value

    def count(self, what: str) -> int:
        value = self.number(what)
        if value != int(value) or value < 1:
            raise InstanceError(self.file, f"token {self.pos}", f"{what} must be a positive whole number")
        return int(value)
