"""The model's own helpers: :func:`generator.model.replaced` and :func:`generator.model.exact_text`."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from generator import model
from generator.model import NO_META, Appearance, Link, Paper, PaperMeta, exact_text, replaced

_texts = st.text(max_size=20)
_appearances = st.builds(
    Appearance,
    st.dates(dt.date(2020, 1, 1), dt.date(2030, 1, 1)),
    st.integers(1, 99),
    _texts,
    _texts,
    _texts,
    st.integers(1, 999),
)
_tuples = st.lists(_texts, max_size=3).map(tuple)
_metas = st.one_of(
    st.just(NO_META), st.builds(PaperMeta, arxiv_id=_texts, authors=_tuples, upvotes=st.none() | st.integers())
)
_papers = st.builds(
    Paper,
    key=_texts,
    title=_texts,
    abstract=_texts,
    appearances=st.lists(_appearances, min_size=1, max_size=3).map(tuple),
    slug=_texts,
    links=st.lists(st.builds(Link, _texts, _texts), max_size=2).map(tuple),
    tags=_tuples,
    aliases=_tuples,
    related=_tuples,
    meta=_metas,
)
_changes = st.fixed_dictionaries(
    {},
    optional={
        "slug": _texts,
        "tags": _tuples,
        "related": _tuples,
        "aliases": _tuples,
        "alias_slugs": _tuples,
        "meta": _metas,
        "appearances": st.lists(_appearances, min_size=1, max_size=2).map(tuple),
    },
)


@given(_papers, _changes)
def test_replaced_gives_what_dataclasses_replace_gives(paper, changes):
    expected = dataclasses.replace(paper, **changes)
    got = replaced(paper, **changes)
    assert got == expected
    assert type(got) is Paper
    assert got is not paper
    assert vars(got) == vars(expected)
    # The original is untouched and the copy is as frozen as any Paper.
    assert paper == dataclasses.replace(paper)
    with pytest.raises(dataclasses.FrozenInstanceError):
        got.slug = "changed"  # type: ignore[misc]


def test_replaced_refuses_a_name_that_is_not_a_field():
    paper = Paper("k", "T", "A", ())
    with pytest.raises(TypeError, match="no field sulg"):
        replaced(paper, sulg="typo")


def test_every_model_dataclass_is_one_replaced_can_copy():
    """replaced skips __init__: valid only while no model class validates or derives a
    field in __post_init__, takes an InitVar, or keeps its fields in slots."""
    classes = [value for value in vars(model).values() if dataclasses.is_dataclass(value) and isinstance(value, type)]
    assert len(classes) >= 8
    for cls in classes:
        assert not hasattr(cls, "__post_init__"), cls
        assert "__slots__" not in vars(cls), cls
        assert all(field._field_type is dataclasses._FIELD for field in cls.__dataclass_fields__.values()), cls  # type: ignore[attr-defined]


@given(
    st.lists(st.text(alphabet="ab,;\n\ud800", max_size=4), max_size=5),
    st.lists(st.integers(-3, 30), max_size=4),
    st.lists(st.text(alphabet="ab,;\n\ud800", max_size=4), max_size=5),
    st.lists(st.integers(-3, 30), max_size=4),
)
def test_the_exact_text_of_two_different_lists_is_never_the_same(texts, numbers, other_texts, other_numbers):
    """exact_text (what facts keys and render keys hash) gives one text per list: the
    same characters cut otherwise, or a separator inside a text, give another; lone
    surrogates (a JSON digest can hold them) are hashed like any other text."""
    same = exact_text(texts, numbers) == exact_text(other_texts, other_numbers)
    assert same == (texts == other_texts and numbers == other_numbers)
    for cut in range(len("".join(texts)) + 1):  # the same characters cut otherwise
        whole = "".join(texts)
        recut = [whole[:cut], whole[cut:]]
        if recut != texts:
            assert exact_text(recut, numbers) != exact_text(texts, numbers)
    exact_text(texts, numbers).encode("utf-8", "surrogatepass")
