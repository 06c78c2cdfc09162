"""Words of a text: the per-process tables of what a word gives."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from generator.analysis.words import looked_up


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.sampled_from(["a", "b", "c", "d", "e", "f"]), max_size=40),
    st.dictionaries(st.sampled_from(["a", "b", "c", "x"]), st.integers(-1, 5), max_size=4),
)
def test_each_word_is_looked_up_and_a_new_one_worked_out_once(words, known):
    before = dict(known)
    worked_out: list[str] = []

    def work_out(word: str) -> int:
        worked_out.append(word)
        return len(word) * 10 + ord(word)

    found = looked_up(words, known, work_out)
    assert found == [before[word] if word in before else len(word) * 10 + ord(word) for word in words]
    # Each new word worked out once, in the order first met, and kept; the known ones
    # left as they were.
    assert worked_out == list(dict.fromkeys(word for word in words if word not in before))
    assert known == {**before, **{word: len(word) * 10 + ord(word) for word in worked_out}}


def test_falsy_values_are_values():
    # An empty tuple (a word that starts no phrase) or 0 is a value, not a missing one.
    calls: list[str] = []
    assert looked_up(["w", "w", "v"], {"v": 0}, lambda word: calls.append(word) or ()) == [(), (), 0]
    assert calls == ["w"]
