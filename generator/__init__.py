"""Digest Archive: turn daily paper digests into a browsable, searchable MkDocs archive.

Stages, each in its own module, data flowing one way:
parse (text -> records) -> model (frozen dataclasses) -> dedupe / links / slugs / tags
(pure functions on the model) -> render (Jinja2 -> Markdown strings) -> write (filesystem).
"""

__version__ = "0.1.0"
