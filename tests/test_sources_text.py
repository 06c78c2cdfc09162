"""Parser: header, date line, title/abstract pairs, encodings, and clear errors."""

from __future__ import annotations

import datetime as dt
import shutil

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from generator.errors import DigestError
from generator.sources.dates import year_from_file_name
from generator.sources.folder import find_digests
from generator.sources.text import BOILERPLATE, parse_digest, read_digest

from .helpers import FIXTURES

HEADER = "new\n\nGet trending papers in your email inbox!\n\nSubscribe\n\nbyAK and the research community\n\n"
LONG_ABSTRACT = "An abstract that runs long enough to be read as an abstract. " * 12


def digest_text(date_line: str, pairs: list[tuple[str, str]], header: str = HEADER) -> str:
    body = "".join(f"{title}\n\n{abstract}\n\n" for title, abstract in pairs)
    return f"{header}{date_line}\n\n{body}"


def test_reads_header_date_and_pairs_in_order():
    text = digest_text("Mar 28", [("Title One", "Abstract one."), ("Title Two", "Abstract two.")])
    digest = parse_digest(text.encode(), "2025-03-28.txt")
    assert digest.date == dt.date(2025, 3, 28)
    assert [(e.title, e.abstract) for e in digest.entries] == [
        ("Title One", "Abstract one."),
        ("Title Two", "Abstract two."),
    ]
    # Line numbers point at each title: header is 8 lines, date line 9, first title 11.
    assert [e.line for e in digest.entries] == [11, 15]


@pytest.mark.parametrize(
    "date_line, expected",
    [
        ("Mar 28, 2024", dt.date(2024, 3, 28)),
        ("March 28, 2024", dt.date(2024, 3, 28)),
        ("March 28 2024", dt.date(2024, 3, 28)),
        ("2024-03-28", dt.date(2024, 3, 28)),
        ("Sept 3, 2024", dt.date(2024, 9, 3)),
        ("28 Mar 2024", dt.date(2024, 3, 28)),
    ],
)
def test_date_line_with_year_wins_over_everything(date_line, expected):
    text = digest_text(date_line, [("T", "A.")])
    assert parse_digest(text.encode(), "2023-01-01.txt", default_year=2022).date == expected


def test_year_order_file_name_then_default_year():
    text = digest_text("March 28", [("T", "A.")]).encode()
    assert parse_digest(text, "digests/2023-07-01.txt", default_year=2021).date == dt.date(2023, 3, 28)
    assert parse_digest(text, "digests/digest-20220101.txt", default_year=2021).date == dt.date(2022, 3, 28)
    assert parse_digest(text, "digests/000_e35a8897fae17522.txt", default_year=2021).date == dt.date(2021, 3, 28)


def test_no_year_anywhere_is_a_clear_error_at_the_date_line():
    with pytest.raises(DigestError) as caught:
        read_digest(FIXTURES / "bad" / "no-year.txt")
    assert caught.value.line == 1
    assert "no-year.txt:1:" in str(caught.value)
    assert "--year" in str(caught.value)


def test_year_from_file_name_ignores_hashes_and_impossible_dates():
    assert year_from_file_name("2025-03-28.txt") == 2025
    assert year_from_file_name("digest_20240229.txt") == 2024
    assert year_from_file_name("000_e35a8897fae17522.txt") is None
    assert year_from_file_name("2025-13-40.txt") is None


def test_february_29_needs_a_leap_year():
    text = digest_text("Feb 29", [("T", "A.")]).encode()
    assert parse_digest(text, "x.txt", default_year=2024).date == dt.date(2024, 2, 29)
    with pytest.raises(DigestError, match="invalid date"):
        parse_digest(text, "x.txt", default_year=2025)


def test_bom_and_crlf_give_the_same_digest_as_plain_text():
    text = digest_text("Mar 3, 2025", [("Title", "Abstract with 50\\% and ``quotes''.")])
    plain = parse_digest(text.encode(), "a.txt")
    crlf_bom = parse_digest(b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode(), "a.txt")
    old_mac = parse_digest(text.replace("\n", "\r").encode(), "a.txt")
    assert plain.entries == crlf_bom.entries == old_mac.entries
    assert plain.date == crlf_bom.date


def test_header_is_optional():
    digest = parse_digest(b"Mar 3, 2025\n\nTitle\n\nAbstract.\n", "a.txt")
    assert [e.title for e in digest.entries] == ["Title"]


def test_unicode_line_separators_inside_text_are_kept():
    text = digest_text("Mar 3, 2025", [("Title \u2028 with separator", "Abstract\x85 \u2029 text.")])
    entry = parse_digest(text.encode(), "a.txt").entries[0]
    assert entry.title == "Title \u2028 with separator"
    assert entry.abstract == "Abstract\x85 \u2029 text."


def test_empty_file_is_an_error_at_line_1():
    with pytest.raises(DigestError) as caught:
        read_digest(FIXTURES / "bad" / "empty.txt", default_year=2025)
    assert (caught.value.line, "empty digest" in caught.value.message) == (1, True)


def test_missing_date_line_names_the_line_found_instead():
    with pytest.raises(DigestError) as caught:
        read_digest(FIXTURES / "bad" / "no-date.txt", default_year=2025)
    assert caught.value.line == 5
    assert "date line" in caught.value.message
    assert "A Paper Title Where the Date Should Be" in caught.value.message


def test_title_without_abstract_names_the_title_line():
    with pytest.raises(DigestError) as caught:
        read_digest(FIXTURES / "bad" / "missing-abstract.txt")
    assert caught.value.line == 11
    assert "Second Paper Lost Its Abstract" in caught.value.message


def test_a_500_character_title_is_a_title_next_to_short_or_missing_abstracts():
    long_title = ("Scaling Laws " * 40)[:499] + "!"
    text = digest_text("Mar 3, 2025", [("Short Paper", "A short abstract."), (long_title, LONG_ABSTRACT)])
    digest = parse_digest(text.encode(), "a.txt")
    assert [e.title for e in digest.entries] == ["Short Paper", long_title]
    missing = f"{HEADER}Mar 3, 2025\n\nLost Its Abstract\n\n{long_title}\n\n{LONG_ABSTRACT * 2}\n"
    with pytest.raises(DigestError, match="'Lost Its Abstract' has no abstract") as caught:
        parse_digest(missing.encode(), "b.txt")
    assert caught.value.line == len(HEADER.splitlines()) + 3


def test_last_title_without_abstract_is_an_error():
    text = digest_text("Mar 3, 2025", [("T", "A.")]) + "Dangling Title\n"
    with pytest.raises(DigestError, match="has no abstract") as caught:
        parse_digest(text.encode(), "a.txt")
    assert caught.value.line == 15


def test_short_abstracts_followed_by_titles_are_accepted():
    text = digest_text("Mar 3, 2025", [("Title A", "Short abstract."), ("Title B", LONG_ABSTRACT)])
    assert len(parse_digest(text.encode(), "a.txt").entries) == 2


def test_undecodable_bytes_name_line_and_byte():
    data = digest_text("Mar 3, 2025", [("Title", "Abstract.")]).encode() + b"Caf\xe9 title\n\nabstract\n"
    with pytest.raises(DigestError) as caught:
        parse_digest(data, "latin1.txt")
    assert caught.value.line == 15
    assert "0xe9" in caught.value.message and "UTF-8" in caught.value.message


def test_control_characters_are_rejected_with_their_line():
    data = digest_text("Mar 3, 2025", [("Title\x00", "Abstract.")]).encode()
    with pytest.raises(DigestError, match="U\\+0000") as caught:
        parse_digest(data, "nul.txt")
    assert caught.value.line == 11


def test_multi_line_title_paragraph_is_an_error():
    text = digest_text("Mar 3, 2025", [("Title\nand its abstract without a blank line", "Next.")])
    with pytest.raises(DigestError, match="several lines"):
        parse_digest(text.encode(), "a.txt")


def test_no_papers_after_the_date_is_an_error():
    with pytest.raises(DigestError, match="no papers"):
        parse_digest((HEADER + "Mar 3, 2025\n").encode(), "a.txt")


def test_find_digests_lists_txt_files_sorted(tmp_path):
    for name in ("b.txt", "a.txt", "notes.md"):
        (tmp_path / name).write_text("x")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "c.txt").write_text("x")
    found = find_digests(tmp_path)
    assert [p.name for p in found.paths] == ["a.txt", "b.txt", "c.txt"] and found.refused == ()


# --- Property tests -----------------------------------------------------------------

# Text a title or abstract can hold: any printable character, including Markdown and HTML
# hazards, but no line breaks (a title is one line; an abstract one paragraph).
line_text = (
    st.text(
        alphabet=st.characters(
            blacklist_categories=("Cs", "Cc", "Zl", "Zp"),
            blacklist_characters="\ufeff",
        )
        | st.sampled_from(list("`*_[]()#<>!|\\{}%&;'\"^~")),
        min_size=1,
        max_size=80,
    )
    .map(str.strip)
    .filter(bool)
)


@st.composite
def digests(draw):
    pairs = draw(st.lists(st.tuples(line_text, line_text), min_size=1, max_size=6))
    # A paragraph equal to a header line would be skipped as boilerplate.
    pairs = [(t, a) for t, a in pairs if t.lower() not in BOILERPLATE]
    if not pairs:
        pairs = [("Title", "Abstract.")]
    # Abstracts long enough that no pairing is ambiguous.
    pairs = [(title, f"{abstract} {LONG_ABSTRACT}".strip()) for title, abstract in pairs]
    newline = draw(st.sampled_from(["\n", "\r\n"]))
    bom = draw(st.sampled_from([b"", b"\xef\xbb\xbf"]))
    return pairs, bom + digest_text("Mar 3, 2025", pairs).replace("\n", newline).encode()


@settings(max_examples=200, deadline=None)
@given(digests())
def test_property_every_title_and_abstract_round_trips(case):
    pairs, data = case
    digest = parse_digest(data, "prop.txt")
    assert [(e.title, e.abstract) for e in digest.entries] == pairs


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=400))
def test_property_any_bytes_parse_or_give_a_digest_error(data):
    try:
        digest = parse_digest(data, "fuzz.txt", default_year=2025)
    except DigestError as error:
        assert str(error).startswith("fuzz.txt:")
        assert error.line >= 1
    else:
        assert digest.entries


def test_a_bad_digest_counts_the_papers_it_lists_however_broken():
    from generator.sources.text import count_listed

    missing_abstract = (FIXTURES / "bad" / "missing-abstract.txt").read_bytes()
    assert count_listed(missing_abstract) == 3
    assert count_listed(b"") == 0
    assert count_listed(b"new\n\nMar 3\n\nTitle\n\nAbstract.\n\nTitle 2\n\nAbstract 2.\n") == 2
    assert count_listed(b"Title\n\nAbstract \xff.\n") == 1  # no date line, not UTF-8
    try:
        parse_digest(missing_abstract, "m.txt")
    except DigestError as error:
        assert error.listed == 3
    else:
        raise AssertionError("a title without abstract is an error")


def test_the_skip_warning_says_how_many_papers_the_skipped_digest_takes_out(tmp_path):
    from .helpers import make_project, run_cli

    make_project(tmp_path)
    digests = tmp_path / "in"
    shutil.copytree(FIXTURES / "archive", digests)
    shutil.copy(FIXTURES / "bad" / "missing-abstract.txt", digests / "zz-bad.txt")
    shutil.copy(FIXTURES / "bad" / "empty.txt", digests / "zz-empty.txt")
    result = run_cli("generate", "--digests", "in", cwd=tmp_path)
    assert result.returncode == 0
    assert "zz-bad.txt:11: the title 'Second Paper Lost Its Abstract' has no abstract" in result.stderr
    assert "(digest skipped, and with it the 3 papers it lists)" in result.stderr
    assert "zz-empty.txt:1: empty digest: no date line and no papers (digest skipped)" in result.stderr


def test_a_year_outside_the_accepted_range_is_an_error_naming_the_line():
    with pytest.raises(DigestError, match=r"x.txt:1: the year 3025 of 'Mar 28, 3025' is not between 1900 and 2200"):
        parse_digest(b"Mar 28, 3025\n\nTitle\n\nAbstract.\n", "x.txt")
