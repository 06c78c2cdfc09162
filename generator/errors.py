"""Errors the generator reports to the user as one clear line, never as a traceback."""

from __future__ import annotations


class ArchiveError(Exception):
    """A problem the user can fix: bad input, bad configuration, an unwritable folder."""


class DigestError(ArchiveError):
    """A digest file that cannot be read, pointing at the file and line at fault."""

    def __init__(self, source: str, line: int, message: str) -> None:
        super().__init__(f"{source}:{line}: {message}")
        self.source = source
        self.line = line
        self.message = message

    def __reduce__(self):
        # Rebuilt from its three parts when it comes back from a worker process.
        return type(self), (self.source, self.line, self.message)
