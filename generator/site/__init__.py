"""Stage 4, site: the model -> every file of site_src.

``urls`` is the one URL table; ``plan`` works out every page and renders it with the
Jinja2 templates in ``templates/`` (``escaping`` for what pages write from data, ``az``
for the A-Z index, ``charts`` for the statistics page's SVG, ``export`` for
``archive.json.gz``); ``write`` is the only module that writes site_src.
"""
