"""The one error type for bad input files."""

from __future__ import annotations

#: The longest part (field or fault) a message quotes whole: an id or key of 5,000
#: characters would otherwise fill the screen.
LONGEST = 240


class InstanceError(ValueError):
    """A bad instance file: names the file, the field (a JSON path or a line) and the fault.

    The message is always one line: line breaks and other control characters (in a
    file name or a quoted value) are escaped, and a long field or fault is shortened
    (the file name is kept whole, so it can be found)."""

    def __init__(self, file: str, field: str, message: str) -> None:
        file, field, message = _one_line(file), shorten(_one_line(field)), shorten(_one_line(message))
        super().__init__(f"{file}: {field}: {message}" if field else f"{file}: {message}")
        self.file = file
        self.field = field
        self.message = message


def _one_line(text: str) -> str:
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in str(text))


def shorten(text: str, longest: int = LONGEST) -> str:
    """`text` whole if at most `longest` (40 or more) characters, else its start and its length."""
    return text if len(text) <= longest else f"{text[: max(20, longest - 40)]}... ({len(text)} characters)"
