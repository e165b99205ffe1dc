"""A cursor over the whitespace-separated numbers of OR-Library style files.

The formats (OR-Library, Holmberg, Prodhon) are bare number streams with no
library that reads them all; this keeps the error reporting in one place. A fault
names the token's line and its place in the stream.
"""

from __future__ import annotations

from pathlib import Path

from lastmile.errors import InstanceError
from lastmile.readers.physics import NUMBER, number, read_text


class Tokens:
    def __init__(self, path: str | Path) -> None:
        self.file = str(path)
        text = read_text(path, nul_is_space=True)
        self.items: list[str] = []
        self.lines: list[int] = []
        for line, content in enumerate(text.splitlines(), start=1):
            words = content.split()
            self.items += words
            self.lines += [line] * len(words)
        self.pos = 0

    def where(self, pos: int | None = None) -> str:
        """The field of the token at `pos` (default: the last one read)."""
        k = self.pos - 1 if pos is None else pos
        return f"line {self.lines[k]} (number {k + 1})" if 0 <= k < len(self.items) else f"number {k + 1}"

    def word(self, what: str) -> str:
        if self.pos >= len(self.items):
            raise InstanceError(self.file, f"number {self.pos + 1}", f"file ends before {what}")
        self.pos += 1
        return self.items[self.pos - 1]

    def number(self, what: str) -> float:
        token = self.word(what)
        try:
            return number(self.file, "", token, what=what)
        except InstanceError as exc:  # the field's text (from the line kept per token) is made only for a fault
            raise InstanceError(self.file, self.where(), exc.message) from None

    def count(self, what: str) -> int:
        value = self.number(what)
        if value != int(value) or value < 1:
            raise InstanceError(self.file, self.where(), f"{what} must be a positive whole number, not {value:g}")
        if value > len(self.items):  # each counted thing needs a number at least
            raise InstanceError(
                self.file, self.where(), f"{what} {value:g}: the whole file holds only {len(self.items)} numbers"
            )
        return int(value)

    def line_ends(self, what: str) -> None:
        """The block just read ends its line, as every block of these formats does: a
        block ending mid-line means the header's counts do not match the data (which
        would otherwise shift silently into the next block)."""
        if 0 < self.pos < len(self.items) and self.lines[self.pos - 1] == self.lines[self.pos]:
            raise InstanceError(
                self.file, self.where(), f"the line goes on after {what}: the counts in the header do not fit"
            )

    def end(self, *, numbers_may_follow: bool = False) -> None:
        """The data ends here: anything after it means the header's counts are wrong
        (e.g. more customers than it says). `numbers_may_follow` lets stray numbers
        pass (a published file that carries some); anything else still fails."""
        rest = self.items[self.pos :]
        if not rest:
            return
        if numbers_may_follow:
            for k, token in enumerate(rest, start=self.pos):
                if not NUMBER.fullmatch(token):
                    raise InstanceError(self.file, self.where(k), f"{token[:20]!r} after the data is not a number")
            return
        raise InstanceError(
            self.file,
            self.where(self.pos),
            f"{len(rest)} more values after the data its header announces: the counts in the header are wrong",
        )
