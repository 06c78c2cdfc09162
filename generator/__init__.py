"""Digest Archive: turn daily paper digests into a browsable, searchable MkDocs archive.

The pipeline, one folder a stage, data flowing one way:
``sources`` (digest readers: files -> records) -> ``model`` (frozen dataclasses) ->
``analysis`` (identity, duplicates, related papers, tags: pure functions) -> ``site``
(the URL table, page planning, templates, the only writer of site_src) -> ``mkdocs``
(the plugins and theme seam that build the site). ``pipeline`` chains the stages with the
policy of a run; ``cli`` parses arguments and prints.
"""

__version__ = "0.1.0"
