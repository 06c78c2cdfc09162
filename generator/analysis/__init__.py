"""Stage 3, analysis: pure functions from digest records to the finished archive model.

``identity`` (which listings are one paper) -> ``duplicates`` (near-duplicates merged)
-> ``related`` (TF-IDF neighbours) -> ``links``, ``slugs``, ``tagging`` (with
``taxonomy`` and ``overrides``) per paper -> ``stats`` for the statistics page;
``assemble.build_model`` chains them. ``words`` is the tokenizer they share.
"""
