"""The one error type for bad input files."""

from __future__ import annotations


class InstanceError(ValueError):
    """A bad instance file: names the file, the field (a JSON path or a line) and the fault."""

    def __init__(self, file: str, field: str, message: str) -> None:
        super().__init__(f"{file}: {field}: {message}" if field else f"{file}: {message}")
        self.file = file
        self.field = field
        self.message = message
