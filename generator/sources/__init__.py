"""Stage 1, digest readers: digests as they arrive -> :class:`~.records.Digest` records.

``folder`` says which files of the digest folder are digests; ``text`` reads a text
digest (``dates`` works out its date). Every reader produces the same records, so the
stages after this one do not care where a digest came from.
"""
