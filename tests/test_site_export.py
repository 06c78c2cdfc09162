"""archive.json.gz: the JSON json.dumps would write, compressed the same way every time."""

from __future__ import annotations

import gzip
import json

from hypothesis import given, settings
from hypothesis import strategies as st

from generator.analysis.assemble import build_model
from generator.analysis.taxonomy import load_taxonomy
from generator.pipeline import load_digests
from generator.site.export import compact_json, compressed, export_json

from .helpers import FIXTURES, REPO


def standard_json(document: object) -> bytes:
    return json.dumps(document, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")


# What the export holds: text (any character a digest or the API may bring, control
# characters and U+2028 included), integers (of any size: the API's counts), booleans
# and null, in objects and lists.
values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=20,
)


@settings(max_examples=300, deadline=None)
@given(values)
def test_compact_json_is_what_the_standard_library_writes(document):
    assert compact_json(document) == standard_json(document)


def test_text_json_escapes_and_huge_integers_are_written_as_the_standard_library_writes_them():
    document = {"b": '\x00\x1f"\\\n\t\u2028\u2029\x7f é 日本 😀 </script>', "a": [2**64, -(2**63) - 1, 2**63 - 1]}
    assert compact_json(document) == standard_json(document)


def test_the_archive_export_is_the_standard_librarys_json_of_its_document():
    archive = build_model(load_digests(FIXTURES / "archive").digests, load_taxonomy(REPO / "taxonomy.yml")).archive
    exported = export_json(archive)
    assert exported.endswith(b"\n") and compact_json(json.loads(exported)) + b"\n" == exported
    assert standard_json(json.loads(exported)) + b"\n" == exported
    assert len(json.loads(exported)["papers"]) == len(archive.papers)


@settings(max_examples=50, deadline=None)
@given(st.binary(max_size=5000) | st.text(max_size=5000).map(lambda text: text.encode("utf-8")))
def test_compressed_is_gzip_of_the_data_with_no_time_and_the_same_bytes_each_time(data):
    packed = compressed(data)
    assert gzip.decompress(packed) == data
    assert packed[:2] == b"\x1f\x8b" and packed[4:8] == b"\0\0\0\0"  # no time stamp
    assert compressed(data) == packed
