"""Errors the generator reports to the user as one clear line, never as a traceback."""

from __future__ import annotations


class ArchiveError(Exception):
    """A problem the user can fix: bad input, bad configuration, an unwritable folder."""


class DigestError(ArchiveError):
    """A digest that cannot be read, pointing at the file and line at fault.

    ``line`` is None when the fault is the file itself (a link out of the digest folder,
    a hidden file). ``listed`` is the number of papers the digest lists, counted
    leniently, when it could be counted: a skipped digest takes them out of the archive.
    """

    def __init__(self, source: str, line: int | None, message: str, listed: int | None = None) -> None:
        super().__init__(f"{source}:{line}: {message}" if line is not None else f"{source}: {message}")
        self.source = source
        self.line = line
        self.message = message
        self.listed = listed

    def __reduce__(self):
        # Rebuilt from its parts when it comes back from a worker process.
        return type(self), (self.source, self.line, self.message, self.listed)
