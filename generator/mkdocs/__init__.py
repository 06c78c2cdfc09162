"""Stage 5, MkDocs: the plugins and the theme seam that build site_src into the site.

``plugin`` (``digest-archive``) and ``search`` (``digest-archive-search``) are the
MkDocs plugins, with thin hooks that call the helpers of ``passthrough``, ``stamp``,
``chrome``, ``lean`` and ``sitemap``; ``build`` runs ``mkdocs build`` for the pipeline.
README.md beside this file maps every trick played on MkDocs and Material: what it
saves, what it relies on, the test that guards it and the setting that turns it off.
"""
