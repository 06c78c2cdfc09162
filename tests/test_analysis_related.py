"""Text similarity: TF-IDF vectors, nearest neighbours in chunks, related papers."""

from __future__ import annotations

import random

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from generator.analysis import related
from generator.analysis.related import Neighbours, close_both_ways, neighbours, related_papers, tfidf_vectors

from .helpers import FIXTURES

WORDS = [f"w{n}" for n in range(300)]


def random_texts(count: int, seed: int = 3) -> list[str]:
    rng = random.Random(seed)
    return [
        " ".join(rng.choice(WORDS[: rng.randint(30, 300)]) for _ in range(rng.randint(20, 60))) for _ in range(count)
    ]


def brute_force(vectors, k: int) -> tuple[np.ndarray, np.ndarray]:
    similarity = (vectors @ vectors.T).toarray()
    np.fill_diagonal(similarity, -1)
    order = np.lexsort((np.tile(np.arange(len(similarity)), (len(similarity), 1)), -np.round(similarity, 6)), axis=1)
    return order[:, :k], np.take_along_axis(similarity, order[:, :k], axis=1)


def test_vectors_are_unit_length_tfidf_rows_without_stop_words():
    vectors = tfidf_vectors(["the diffusion model", "a graph network", "the"])
    norms = np.sqrt(np.asarray(vectors.multiply(vectors).sum(axis=1)).ravel())
    assert norms[:2] == pytest.approx([1, 1])
    assert vectors[2].nnz == 0  # stop words only: nothing to compare on
    # A word every text shares weighs less than a word only one has (IDF).
    shared = tfidf_vectors(["common rare", "common other"])
    rare, common = (int(np.frombuffer(related.count_text(word)[0], dtype=np.int32)[0]) for word in ("rare", "common"))
    assert shared[0, rare] > shared[0, common]


def scikit_learn_weights(counts, idf_power: float = related.IDF_POWER):
    """The weights as scikit-learn makes them (what related.weigh did before it used
    numpy alone)."""
    import scipy.sparse as sp
    from sklearn.feature_extraction.text import TfidfTransformer
    from sklearn.preprocessing import normalize

    transformer = TfidfTransformer(sublinear_tf=True, norm=None)
    weighted = transformer.fit_transform(counts)
    if idf_power != 1 and weighted.nnz:
        weighted = weighted @ sp.diags(transformer.idf_ ** (idf_power - 1))
    vectors = normalize(weighted.tocsr()).astype(np.float32)
    vectors.sort_indices()
    return vectors.tocsr()


@pytest.mark.parametrize("idf_power", [1.0, related.IDF_POWER, 1.5])
def test_weights_are_scikit_learns_bit_for_bit(idf_power):
    rng = random.Random(11)
    vocabulary = [f"w{n}" for n in range(4000)]
    # Zipf-like word use, texts of every length (an empty one too), and the fixtures' real
    # abstracts, with their LaTeX, accents and repeated words.
    texts = [
        " ".join(rng.choices(vocabulary, weights=[1 / (n + 1) for n in range(4000)], k=rng.randint(0, 400)))
        for _ in range(1500)
    ]
    texts += [path.read_text(encoding="utf-8") for path in sorted(FIXTURES.rglob("*.txt"))]
    counts, _ = related.count_words(texts)
    mine, theirs = related.weigh(counts, idf_power), scikit_learn_weights(counts, idf_power)
    assert mine.dtype == theirs.dtype == np.float32
    assert np.array_equal(mine.indptr, theirs.indptr) and np.array_equal(mine.indices, theirs.indices)
    assert np.array_equal(mine.data, theirs.data)  # every bit, not approximately


def scikit_learn_counts(texts: list[str]) -> list[related.WordCounts]:
    """Each text's counts as scikit-learn's HashingVectorizer makes them (what
    related.count_text did before it hashed with mmh3)."""
    from sklearn.feature_extraction.text import HashingVectorizer

    hasher = HashingVectorizer(
        analyzer=related.analyse, n_features=related.FEATURES, alternate_sign=False, norm=None, dtype=np.float32
    )
    counted = hasher.transform(texts).tocsr()
    rows = []
    for row in range(len(texts)):
        start, end = counted.indptr[row], counted.indptr[row + 1]
        rows.append(
            (
                counted.indices[start:end].astype(np.int32).tobytes(),
                counted.data[start:end].astype(np.float32).tobytes(),
            )
        )
    return rows


def fixture_texts() -> list[str]:
    return [path.read_text(encoding="utf-8") for path in sorted(FIXTURES.rglob("*.txt"))]


def test_word_counts_are_scikit_learns_bit_for_bit():
    # Zipf-like repeats, the fixtures' real digests (LaTeX, accents, every script they
    # hold), and words whose hashes fall on the same column.
    texts = random_texts(300) + fixture_texts() + ["", "the a an", "ünïcödé 日本語 Ωmega x² ﬁne naïve"]
    assert [related.count_text(text) for text in texts] == scikit_learn_counts(texts)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(min_size=0, max_size=60), min_size=1, max_size=5))
def test_word_counts_of_any_text_are_scikit_learns(texts):
    assert [related.count_text(text) for text in texts] == scikit_learn_counts(texts)


def test_stop_words_are_scikit_learns_read_without_importing_it():
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    related._stop_words.cache_clear()
    assert related._stop_words() == ENGLISH_STOP_WORDS and len(ENGLISH_STOP_WORDS) > 300


def test_stop_words_fall_back_to_importing_scikit_learn(monkeypatch):
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    def broken(*args, **kwargs):
        raise OSError("no such file")

    related._stop_words.cache_clear()
    monkeypatch.setattr(related.runpy, "run_path", broken)
    try:
        assert related._stop_words() == ENGLISH_STOP_WORDS
    finally:
        related._stop_words.cache_clear()


def test_counted_texts_are_not_counted_again(monkeypatch):
    texts = random_texts(60)
    _, known = related.count_words(texts[:50])
    counted: list[str] = []
    original = related.count_text
    monkeypatch.setattr(related, "count_text", lambda text: counted.append(text) or original(text))
    together, every = related.count_words(texts, known)
    assert counted == texts[50:]
    assert (together != related.count_words(texts)[0]).nnz == 0 and set(every) == set(known) | {
        related.text_key(text) for text in texts
    }


def test_many_texts_are_counted_on_every_core_as_in_one_process(monkeypatch):
    texts = random_texts(90)
    alone, _ = related.count_words(texts)
    monkeypatch.setattr(related, "ROWS_PER_CHUNK", 7)  # 13 chunks, over the workers' minimum
    spread, _ = related.count_words(texts)
    assert (alone != spread).nnz == 0 and alone.nnz > 0


def test_neighbours_are_exact_in_chunks(monkeypatch):
    monkeypatch.setattr(related, "ROWS_PER_CHUNK", 37)  # several chunks, one ragged
    vectors = tfidf_vectors(random_texts(200))
    found = neighbours(vectors, 5)
    expected_indices, expected_scores = brute_force(vectors, 5)
    assert np.array_equal(found.indices, expected_indices)
    assert found.scores == pytest.approx(expected_scores, abs=1e-6)


def test_large_archives_use_distinctive_words_and_rescore_with_the_full_cosine(monkeypatch):
    # Force the candidate path (used above EXACT_UP_TO papers) on a small archive with
    # planted pairs: each pair shares rare words, so each must find its partner first.
    monkeypatch.setattr(related, "EXACT_UP_TO", 0)
    monkeypatch.setattr(related, "CANDIDATE_TERM_MAX_PAPERS", 20)
    texts = random_texts(300)
    for pair in range(50):
        marker = f" planted{pair}a planted{pair}b planted{pair}c"
        texts[2 * pair] += marker
        texts[2 * pair + 1] += marker
    vectors = tfidf_vectors(texts)
    found = neighbours(vectors, 3)
    expected, _ = brute_force(vectors, 3)
    for pair in range(50):
        for row, partner in ((2 * pair, 2 * pair + 1), (2 * pair + 1, 2 * pair)):
            if partner in expected[row]:
                assert partner in found.indices[row]
    # Scores are full cosines, not the share the distinctive words carry.
    full = (vectors @ vectors.T).toarray()
    for row in range(len(texts)):
        for column, score in zip(found.indices[row], found.scores[row]):
            if column >= 0:
                assert score == pytest.approx(full[row, column], abs=1e-5)


def test_related_papers_fold_merged_papers_and_drop_weak_similarities():
    keys = ["a", "b", "b2", "c", "d"]
    nearest = Neighbours(
        indices=np.array([[1, 2, 3, 4], [2, 0, 3, -1], [1, 0, -1, -1], [0, 1, 4, -1], [3, 0, -1, -1]]),
        scores=np.array(
            [[0.9, 0.8, 0.5, 0.04], [0.99, 0.9, 0.4, 0], [0.99, 0.8, 0, 0], [0.5, 0.4, 0.3, 0], [0.3, 0.04, 0, 0]],
            dtype=np.float32,
        ),
    )
    result = related_papers(keys, nearest, kept_of={"b2": "b"}, relative_floor=0, mutual_rank=0)
    assert result["a"] == ("b", "c")  # b2 counts as b; d is below the similarity floor
    assert result["b"] == ("a", "c")  # never related to its own near-duplicate
    assert result["c"] == ("a", "b", "d")
    assert result["d"] == ("c",)
    assert "b2" not in result


def test_papers_of_two_fields_are_not_related_however_alike_their_words():
    keys = ["a", "b", "c", "untagged"]
    nearest = Neighbours(
        indices=np.array([[1, 2, 3], [0, 2, 3], [0, 1, 3], [0, 1, 2]]),
        scores=np.array([[0.9, 0.8, 0.7], [0.9, 0.6, 0.5], [0.8, 0.6, 0.5], [0.7, 0.5, 0.5]], dtype=np.float32),
    )
    topics = {"a": ("diffusion-models",), "b": ("quantization",), "c": ("diffusion-models", "quantization")}
    result = related_papers(keys, nearest, kept_of={}, topics=topics, relative_floor=0, mutual_rank=0)
    assert result["a"] == ("c", "untagged")  # b shares no topic with a
    assert result["b"] == ("c", "untagged")
    assert result["c"] == ("a", "b", "untagged")
    # A paper with no topic is compared on its words alone.
    assert result["untagged"] == ("a", "b", "c")
    assert related_papers(keys, nearest, kept_of={}, relative_floor=0, mutual_rank=0)["a"] == ("b", "c", "untagged")


def test_a_squared_idf_lets_a_shared_rare_word_outweigh_shared_common_ones():
    common = "model training performance results method"
    texts = [
        f"{common} sinkhorn",
        f"{common} quantization",  # shares every common word with the first
        "sinkhorn transport coupling",  # shares only the rare word
        *[f"{common} filler{n}" for n in range(10)],
    ]
    plain = tfidf_vectors(texts, idf_power=1.0)
    squared = tfidf_vectors(texts, idf_power=2.0)
    cosine = lambda vectors, i, j: float(vectors[i].multiply(vectors[j]).sum())  # noqa: E731
    assert cosine(plain, 0, 1) > cosine(plain, 0, 2)
    assert cosine(squared, 0, 2) > cosine(squared, 0, 1)
    assert np.allclose(np.asarray(squared.multiply(squared).sum(axis=1)).ravel(), 1.0, atol=1e-5)


def test_a_hub_near_everyone_is_listed_only_where_the_paper_is_among_its_own_closest():
    # "hub" shares the field's common words with every paper: each has it as a neighbour,
    # but its own closest are a, b and c. d and e are a pair of their own.
    keys = ["hub", "a", "b", "c", "d", "e"]
    nearest = Neighbours(
        indices=np.array(
            [
                [1, 2, 3, 4, 5],
                [2, 0, -1, -1, -1],
                [1, 0, -1, -1, -1],
                [0, -1, -1, -1, -1],
                [5, 0, -1, -1, -1],
                [4, 0, -1, -1, -1],
            ]
        ),
        scores=np.array(
            [
                [0.5, 0.45, 0.4, 0.3, 0.3],
                [0.6, 0.5, 0, 0, 0],
                [0.6, 0.45, 0, 0, 0],
                [0.4, 0, 0, 0, 0],
                [0.5, 0.3, 0, 0, 0],
                [0.5, 0.3, 0, 0, 0],
            ],
            dtype=np.float32,
        ),
    )
    result = related_papers(keys, nearest, kept_of={}, relative_floor=0, mutual_rank=3)
    assert result["d"] == ("e",)  # d is not among the hub's three closest: the hub is not listed
    assert result["e"] == ("d",)
    assert result["a"] == ("b", "hub")  # a is among the hub's closest, and the hub among a's
    # The hub is among everyone's closest, so its own list keeps all five.
    assert result["hub"] == ("a", "b", "c", "d", "e")
    unfiltered = related_papers(keys, nearest, kept_of={}, relative_floor=0, mutual_rank=0)
    assert unfiltered["d"] == ("e", "hub")


def test_a_neighbour_far_below_the_best_one_is_not_listed():
    keys = ["a", "b", "c", "d"]
    nearest = Neighbours(
        indices=np.array([[1, 2, 3], [0, 2, 3], [0, 1, 3], [0, 1, 2]]),
        scores=np.array([[0.6, 0.35, 0.25], [0.6, 0.2, 0.2], [0.35, 0.2, 0.1], [0.25, 0.2, 0.1]], dtype=np.float32),
    )
    result = related_papers(keys, nearest, kept_of={}, relative_floor=0.5, mutual_rank=0)
    assert result["a"] == ("b", "c")  # d's 0.25 is below half of a's best, 0.6
    assert result["c"] == ("a", "b")
    assert result["d"] == ("a", "b")


@settings(max_examples=200, deadline=None)
@given(st.data())
def test_close_both_ways_is_the_plain_definition(data):
    rows = data.draw(st.integers(1, 8))
    k = data.draw(st.integers(1, 5))
    indices = np.full((rows, k), -1, dtype=np.int64)
    scores = np.zeros((rows, k), dtype=np.float32)
    for row in range(rows):
        others = data.draw(
            st.lists(st.integers(0, rows - 1).filter(lambda o, row=row: o != row), unique=True, max_size=k)
        )
        values = sorted(
            data.draw(st.lists(st.floats(0.0625, 1.0, width=32), min_size=len(others), max_size=len(others))),
            reverse=True,
        )
        indices[row, : len(others)] = others
        scores[row, : len(others)] = values
    floor = data.draw(st.sampled_from([0.0, 0.5, 0.8]))
    rank = data.draw(st.integers(0, 4))
    mask = close_both_ways(Neighbours(indices, scores), floor, rank)

    def closest(row):
        """The row's neighbours within its relative floor, its first `rank` of them."""
        kept = [int(o) for o, v in zip(indices[row], scores[row]) if o >= 0 and v >= floor * scores[row, 0]]
        return kept[:rank]

    for row in range(rows):
        for column in range(k):
            other = int(indices[row, column])
            expected = (
                other >= 0 and scores[row, column] >= floor * scores[row, 0] and (rank == 0 or row in closest(other))
            )
            assert mask[row, column] == expected


def test_blending_rescores_the_tfidf_candidates_with_their_embeddings(monkeypatch):
    # Paper 0's TF-IDF neighbours: 1 (0.30), then 2 (0.25); by embedding, 2 is the same
    # thing said in other words and 1 is not.
    nearest = Neighbours(
        indices=np.array([[1, 2, -1], [0, 2, -1], [0, 1, -1]]),
        scores=np.array([[0.30, 0.25, 0], [0.30, 0.1, 0], [0.25, 0.1, 0]], dtype=np.float32),
    )
    embeddings = np.array([[1.0, 0.0], [0.0, 1.0], [0.8, 0.6]], dtype=np.float32)
    blended = related.blend_similarities(nearest, embeddings, tfidf_weight=0.8)
    assert blended.indices[0].tolist() == [2, 1, -1]
    assert blended.scores[0, 0] == pytest.approx(0.8 * 0.25 + 0.2 * 0.8)
    assert blended.scores[0, 1] == pytest.approx(0.8 * 0.30 + 0.2 * 0.0)
    assert blended.scores[0, 2] == -1  # an empty slot stays last and below any floor
    # Chunked as the archive is, the same answer.
    monkeypatch.setattr(related, "ROWS_PER_CHUNK", 1)
    chunked = related.blend_similarities(nearest, embeddings, tfidf_weight=0.8)
    assert np.array_equal(chunked.indices, blended.indices) and np.array_equal(chunked.scores, blended.scores)
    result = related_papers(["a", "b", "c"], blended, kept_of={}, min_similarity=0.3, relative_floor=0, mutual_rank=0)
    assert result["a"] == ("c",)  # 0.36 passes the floor, b's 0.24 does not


def _related_one_slot_at_a_time(keys, nearest, kept_of, count, min_similarity, topics, relative_floor, mutual_rank):
    """related_papers as it was written first, a slot at a time: the reference."""
    from collections import defaultdict

    close = close_both_ways(nearest, relative_floor, mutual_rank).tolist()
    best: dict = defaultdict(dict)
    for key, row, scores, row_close in zip(keys, nearest.indices.tolist(), nearest.scores.tolist(), close, strict=True):
        own = kept_of.get(key, key)
        candidates = best[own]
        for other_index, score, is_close in zip(row, scores, row_close, strict=True):
            if other_index < 0 or score < min_similarity:
                break
            if not is_close:
                continue
            other = kept_of.get(keys[other_index], keys[other_index])
            if topics is not None and not related._share_a_topic(topics.get(own, ()), topics.get(other, ())):
                continue
            if other != own and score > candidates.get(other, -1.0):
                candidates[other] = score
    return {
        key: tuple(sorted(found, key=lambda other: (-round(found[other], related.RANKING_DECIMALS), other))[:count])
        for key, found in best.items()
        if found
    }


@settings(max_examples=300, deadline=None)
@given(st.data(), st.integers(1, 12), st.integers(0, 6))
def test_related_papers_read_slots_at_once_as_one_at_a_time(data, papers, width):
    """The slots filtered with numpy give what reading each row slot by slot gives:
    empty slots, similarities just below, at and above the floor (float32 against a
    Python float), ties, merged papers, papers with and without topics."""
    keys = [f"p{n}" for n in range(papers)]
    floor = 0.08
    near_floor = st.sampled_from([0.0, float(np.float32(floor)), floor, 0.0800001, 0.2, 0.2, 0.5, 0.9, 1.0])
    rows_indices, rows_scores = [], []
    for _ in range(papers):
        filled = data.draw(st.integers(0, width))
        scores = sorted(data.draw(st.lists(near_floor, min_size=filled, max_size=filled)), reverse=True)
        others = data.draw(st.lists(st.integers(0, papers - 1), min_size=filled, max_size=filled))
        rows_indices.append(others + [-1] * (width - filled))
        rows_scores.append(scores + [0.0] * (width - filled))
    nearest = Neighbours(
        np.array(rows_indices, dtype=np.int64).reshape(papers, width),
        np.array(rows_scores, dtype=np.float32).reshape(papers, width),
    )
    merged = data.draw(st.dictionaries(st.sampled_from(keys), st.sampled_from(keys), max_size=2))
    kept_of = {merged_key: kept for merged_key, kept in merged.items() if kept not in merged}
    topics = data.draw(
        st.none()
        | st.fixed_dictionaries({key: st.lists(st.sampled_from("xyz"), max_size=2).map(tuple) for key in keys})
    )
    relative_floor = data.draw(st.sampled_from([0.0, 0.5]))
    mutual_rank = data.draw(st.sampled_from([0, 1, 5]))
    arguments = (keys, nearest, kept_of, 3, floor, topics, relative_floor, mutual_rank)
    expected = _related_one_slot_at_a_time(*arguments)
    got = related_papers(
        keys,
        nearest,
        kept_of,
        count=3,
        min_similarity=floor,
        topics=topics,
        relative_floor=relative_floor,
        mutual_rank=mutual_rank,
    )
    assert got == expected
    assert list(got) == list(expected)


def _chunk_neighbours_row_by_row(start, vectors, candidate_vectors, transposed, k, candidates):
    """The neighbours of a chunk as they were first worked out, one row at a time: the
    reference the vectorised reading is held to."""
    end = min(start + related.ROWS_PER_CHUNK, vectors.shape[0])
    scores = (candidate_vectors[start:end] @ transposed).tocsr()
    found = []
    for offset in range(end - start):
        low, high = scores.indptr[offset], scores.indptr[offset + 1]
        columns, values = scores.indices[low:high], scores.data[low:high]
        keep = (columns != start + offset) & (values > 0)
        columns, values = columns[keep], values[keep]
        if candidates is not None and len(columns) > candidates:
            chosen = np.argpartition(-values, candidates)[:candidates]
            columns, values = columns[chosen], values[chosen]
        found.append((columns, values))
    if candidates is not None and found:
        rows = np.concatenate([np.full(len(columns), start + offset) for offset, (columns, _) in enumerate(found)])
        columns = np.concatenate([columns for columns, _ in found])
        exact = np.asarray(vectors[rows].multiply(vectors[columns]).sum(axis=1)).ravel().astype(np.float32)
        bounds = np.cumsum([0] + [len(c) for c, _ in found])
        found = [(c, exact[bounds[i] : bounds[i + 1]]) for i, (c, _) in enumerate(found)]
    indices = np.full((end - start, k), -1, dtype=np.int64)
    best = np.zeros((end - start, k), dtype=np.float32)
    for offset, (columns, values) in enumerate(found):
        order = np.lexsort((columns, -np.round(values, 6)))[:k]
        indices[offset, : len(order)] = columns[order]
        best[offset, : len(order)] = values[order]
    return indices, best


@settings(max_examples=150, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    papers=st.integers(1, 60),
    copies=st.integers(0, 6),
    k=st.integers(1, 8),
    candidates=st.one_of(st.none(), st.integers(1, 12)),
    chunk=st.integers(1, 25),
    near_ties=st.booleans(),
)
def test_a_chunks_neighbours_are_those_read_row_by_row(seed, papers, copies, k, candidates, chunk, near_ties):
    # Copies of a text tie with each other exactly (at the cut of the candidates too);
    # few words make papers with no neighbour, or fewer than k or than the candidates.
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(related, "ROWS_PER_CHUNK", chunk)
        _check_chunks_against_row_by_row(seed, papers, copies, k, candidates, chunk, near_ties)


def _check_chunks_against_row_by_row(seed, papers, copies, k, candidates, chunk, near_ties):
    rng = random.Random(seed)
    if near_ties:
        # Weights a float32 step apart: similarities equal to 6 decimals but not exactly,
        # which the ranking rounds to ties broken by index.
        import scipy.sparse as sp

        weights = np.array([0.25, 0.25000003, 0.5, 0.50000006, 1.0], dtype=np.float32)
        dense = np.zeros((papers + copies, 8), dtype=np.float32)
        for row in range(papers + copies):
            for column in rng.sample(range(8), rng.randint(1, 4)):
                dense[row, column] = weights[rng.randrange(len(weights))]
        vectors = sp.csr_matrix(dense)
    else:
        words = [f"w{n}" for n in range(rng.randint(3, 40))]
        texts = [" ".join(rng.choices(words, k=rng.randint(1, 12))) for _ in range(papers)]
        texts += [rng.choice(texts) for _ in range(copies)]
        vectors = tfidf_vectors(texts)
    cut = related._distinctive_words(vectors) if candidates is not None else vectors
    transposed = cut.T.tocsr()
    for start in range(0, vectors.shape[0], chunk):
        mine = related._chunk_neighbours(start, vectors, cut, transposed, k, candidates)
        reference = _chunk_neighbours_row_by_row(start, vectors, cut, transposed, k, candidates)
        assert np.array_equal(mine[0], reference[0])
        assert np.array_equal(mine[1], reference[1])  # every bit
