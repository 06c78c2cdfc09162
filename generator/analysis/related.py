"""Text similarity between papers: TF-IDF vectors and nearest neighbours.

Each paper's title and abstract become a TF-IDF vector (words counted as scikit-learn's
``HashingVectorizer`` counts them, weighted as its ``TfidfTransformer`` weighs them, both
without importing it); two papers are as
similar as the cosine of their vectors. The neighbours of every paper are found without
an all-pairs table:

* up to :data:`EXACT_UP_TO` papers, every pair that shares a word is scored, in chunks of
  rows, so the answer is exact;
* above that, candidates come from each paper's most distinctive words, those in at most
  :data:`CANDIDATE_TERM_MAX_PAPERS` papers. The work per paper is then bounded whatever
  the archive's size, and the best candidates are re-scored with the full cosine.

:func:`neighbours` feeds both related papers and near-duplicate detection.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import importlib.util
import runpy
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import mmh3
import numpy as np
import scipy.sparse as sp

from ..parallel import map_in_chunks
from .words import looked_up, word_tokens

RELATED_PAPERS = 5
# Similarities are ranked rounded to this many decimals, ties by key, so the order never
# depends on the last bits of a float sum.
RANKING_DECIMALS = 6
# Below this cosine, papers share little more than common words: not shown as related,
# so a paper with two true neighbours lists two, not five padded ones (measured against
# the labelled papers of evaluation/, tune half).
MIN_RELATED_SIMILARITY = 0.08
# A listed paper must also be close *for this paper*: at least this share of its best
# neighbour's similarity...
RELATIVE_FLOOR = 0.5
# ...and this paper must be among the listed paper's own closest few (in its top
# MUTUAL_RANK, above its own relative floor). Papers that share the field's common words
# with everyone (a "hub") are near many papers but few are near them: without this they
# fill the lists of papers they do not belong with. Both measured on the tune half of
# evaluation/ (related precision 76.8% -> 79.3%).
MUTUAL_RANK = 5
# The embedding backend (generator/embedding.py): the TF-IDF candidates are scored
# TFIDF_WEIGHT * TF-IDF cosine + (1 - TFIDF_WEIGHT) * embedding cosine and shown from
# BLENDED_FLOOR. The embedding says whether two papers are about the same thing when
# they use different words; the TF-IDF cosine keeps the rare shared terms decisive.
# Measured on the tune half: 82.4% precision with as many related papers found as TF-IDF
# alone finds at 76.8%.
TFIDF_WEIGHT = 0.8
BLENDED_FLOOR = 0.176
IDF_POWER = 2.0
EXACT_UP_TO = 5000
CANDIDATE_TERMS_PER_PAPER = 50
CANDIDATE_TERM_MAX_PAPERS = 300
CANDIDATES_PER_PAPER = 40
ROWS_PER_CHUNK = 1000
# Hashed features: with 2**20 buckets, two words of an archive's vocabulary (some 10**5
# words) rarely share one, and no vocabulary needs to be built or kept.
FEATURES = 2**20


# scikit-learn takes a second and a half to import, for a stop-word list and a hash: the
# list is read from its own module file and the hash is mmh3's, so no run imports it.
@functools.cache
def _stop_words() -> frozenset[str]:
    """scikit-learn's English stop words (``ENGLISH_STOP_WORDS``), read from the module
    that holds them without importing the package (its ``__init__`` imports the rest)."""
    spec = importlib.util.find_spec("sklearn")
    locations = list(spec.submodule_search_locations or []) if spec else []
    for location in locations:
        with contextlib.suppress(Exception):  # anything amiss: import it the usual way
            words = runpy.run_path(str(Path(location) / "feature_extraction" / "_stop_words.py"))
            return frozenset(words["ENGLISH_STOP_WORDS"])
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    return frozenset(ENGLISH_STOP_WORDS)


def analyse(text: str) -> list[str]:
    """The words a text is compared on: lower-case, no stop words, no single characters."""
    return [word for word in word_tokens(text) if _compared(word)]


def _compared(word: str) -> bool:
    return len(word) > 1 and word not in _stop_words()


# A text's hashed word counts, as kept between runs: the columns and the counts of its
# row of the count matrix (int32 and float32 arrays, as bytes).
WordCounts = tuple[bytes, bytes]


def text_key(text: str) -> str:
    """The key a text's :data:`WordCounts` are kept under: a hash of the text."""
    return hashlib.blake2b(text.encode("utf-8"), digest_size=16).hexdigest()


def tfidf_vectors(texts: Sequence[str], idf_power: float = IDF_POWER) -> sp.csr_matrix:
    """L2-normalised TF-IDF rows, one per text (see :func:`weigh`)."""
    return weigh(count_words(texts)[0], idf_power)


def count_words(
    texts: Sequence[str], known: Mapping[str, WordCounts] | None = None
) -> tuple[sp.csr_matrix, dict[str, WordCounts]]:
    """The hashed word counts of ``texts``, a row each, and each text's row by
    :func:`text_key` (to be passed back as ``known`` next time: those texts are not
    counted again; counting is most of the TF-IDF work).

    Word counts are hashed (:func:`count_text`), which needs no shared
    vocabulary, so they are counted in parallel, and a text's row depends on that text
    alone. The matrix is put together from the rows the same way whether they were
    counted now or before, so it is the same either way.
    """
    known = known or {}
    keys = [text_key(text) for text in texts]
    missing = [n for n, key in enumerate(keys) if key not in known]
    rows = dict(zip([keys[n] for n in missing], _count_in_chunks([texts[n] for n in missing]), strict=True))
    every = {key: rows[key] if key in rows else known[key] for key in keys}
    columns = [np.frombuffer(every[key][0], dtype=np.int32) for key in keys]
    counts = [np.frombuffer(every[key][1], dtype=np.float32) for key in keys]
    indptr = np.zeros(len(keys) + 1, dtype=np.int64)
    np.cumsum([len(c) for c in columns], out=indptr[1:])
    matrix = sp.csr_matrix(
        (
            np.concatenate(counts) if counts else np.zeros(0, dtype=np.float32),
            np.concatenate(columns) if columns else np.zeros(0, dtype=np.int32),
            indptr,
        ),
        shape=(len(keys), FEATURES),
    )
    return matrix, every


def count_text(text: str) -> WordCounts:
    """The hashed word counts of one text, as scikit-learn's ``HashingVectorizer``
    (``analyzer=analyse, n_features=FEATURES, alternate_sign=False, norm=None,
    dtype=float32``) counts them: a word's column is the absolute value of the signed
    32-bit MurmurHash3 (seed 0) of its UTF-8 bytes, modulo :data:`FEATURES`; the columns
    ascending, each with its count.

    mmh3 computes the same hash as scikit-learn's own copy of MurmurHash3, as fast, and
    imports in a millisecond. ``tests/test_analysis_related.py`` holds the result bit for
    bit to scikit-learn's.
    """
    # Each word's column from a per-process table (an archive's 12 million words at 50,000
    # papers are some 100,000 distinct ones, each filtered and hashed once); then the
    # columns are counted in C: two words that share a column add up, as in
    # scikit-learn's sum over the row.
    counted = Counter(looked_up(word_tokens(text), _column_of, _column))
    counted.pop(-1, None)
    ordered = sorted(counted)
    return (
        np.array(ordered, dtype=np.int32).tobytes(),
        np.array(list(map(counted.__getitem__, ordered)), dtype=np.float32).tobytes(),
    )


def _column(word: str) -> int:
    """The column of a word :func:`analyse` keeps, else -1."""
    if not _compared(word):
        return -1
    # abs(-2**31) % FEATURES is scikit-learn's own definition of that one case.
    return abs(mmh3.hash(word, 0, signed=True)) % FEATURES


# Each word's column, or -1 (see _column), filled as words are met.
_column_of: dict[str, int] = {}


def _count_in_chunks(texts: Sequence[str]) -> list[WordCounts]:
    # A first run's texts on every core; a day's few in this process.
    return map_in_chunks(count_text, texts, chunk_size=ROWS_PER_CHUNK, min_items_per_worker=4 * ROWS_PER_CHUNK)


def weigh(counts: sp.csr_matrix, idf_power: float = IDF_POWER) -> sp.csr_matrix:
    """L2-normalised TF-IDF rows of word ``counts`` (sublinear term frequency, smoothed
    IDF raised to ``idf_power``), sorted by column.

    An IDF squared favours the rare words that name a paper's problem and method
    ("randomized smoothing", "sinkhorn") over those every paper in the field uses
    ("model", "training", "performance").

    The weights are scikit-learn's (``TfidfTransformer(sublinear_tf=True)``, the IDF
    raised further, then ``normalize``), float32 operation for operation, worked out
    with numpy alone: importing scikit-learn costs a daily run a second, and this is
    six times faster. ``tests/test_analysis_related.py`` holds them bit for bit to
    scikit-learn's own.
    """
    counts = counts.tocsr()
    rows = counts.shape[0]
    # Smoothed IDF as TfidfTransformer.fit makes it: log((n + 1) / (df + 1)) + 1, float32.
    frequency = np.bincount(counts.indices, minlength=counts.shape[1]).astype(np.float32)
    frequency += 1.0
    idf = np.full_like(frequency, fill_value=rows + 1, dtype=np.float32)
    idf /= frequency
    np.log(idf, out=idf)
    idf += 1.0
    # Sublinear term frequency times the IDF (transform), times the IDF again to the power.
    data = np.log(counts.data.astype(np.float32))
    data += 1.0
    data *= idf[counts.indices]
    if idf_power != 1:
        data *= (idf ** (idf_power - 1))[counts.indices]
    # normalize: each row divided by its length, summed in float64 from float32 squares.
    lengths = np.diff(counts.indptr)
    squares = np.square(data, dtype=np.float32).astype(np.float64)
    filled = lengths > 0
    sums = np.zeros(rows, dtype=np.float64)
    sums[filled] = np.add.reduceat(squares, counts.indptr[:-1][filled])
    norms = np.repeat(np.sqrt(sums), lengths)
    norms[norms == 0] = 1.0
    vectors = sp.csr_matrix(
        ((data / norms).astype(np.float32), counts.indices.copy(), counts.indptr.copy()), shape=counts.shape
    )
    vectors.sort_indices()
    return vectors


@dataclass(frozen=True)
class Neighbours:
    """The ``k`` most similar rows of every row: ``indices[i]`` (``-1`` where there are
    fewer) and their cosines ``scores[i]``, most similar first, ties by index."""

    indices: np.ndarray
    scores: np.ndarray


def neighbours(vectors: sp.csr_matrix, k: int) -> Neighbours:
    """The ``k`` nearest rows of each row of ``vectors`` by cosine, itself excluded.

    Exact up to :data:`EXACT_UP_TO` rows; above, see the module documentation.
    """
    rows = vectors.shape[0]
    if rows <= EXACT_UP_TO:
        candidate_vectors, candidates = vectors, None
    else:
        candidate_vectors, candidates = _distinctive_words(vectors), CANDIDATES_PER_PAPER
    transposed = candidate_vectors.T.tocsr()
    starts = list(range(0, rows, ROWS_PER_CHUNK))
    blocks = map_in_chunks(
        functools.partial(
            _chunk_neighbours,
            vectors=vectors,
            candidate_vectors=candidate_vectors,
            transposed=transposed,
            k=k,
            candidates=candidates,
        ),
        starts,
        chunk_size=1,
        min_items_per_worker=4,
    )
    if not blocks:
        return Neighbours(np.zeros((0, k), dtype=np.int64), np.zeros((0, k), dtype=np.float32))
    return Neighbours(np.vstack([b[0] for b in blocks]), np.vstack([b[1] for b in blocks]))


def _distinctive_words(vectors: sp.csr_matrix) -> sp.csr_matrix:
    """Each row cut to its heaviest words among those few papers share."""
    papers_per_word = np.bincount(vectors.indices, minlength=vectors.shape[1])
    cut = vectors.copy()
    cut.data[papers_per_word[cut.indices] > CANDIDATE_TERM_MAX_PAPERS] = 0
    cut.eliminate_zeros()
    for row in range(cut.shape[0]):
        start, end = cut.indptr[row], cut.indptr[row + 1]
        if end - start > CANDIDATE_TERMS_PER_PAPER:
            weights = cut.data[start:end]
            lightest = np.argsort(weights, kind="stable")[: end - start - CANDIDATE_TERMS_PER_PAPER]
            weights[lightest] = 0
    cut.eliminate_zeros()
    return cut


def _chunk_neighbours(
    start: int,
    vectors: sp.csr_matrix,
    candidate_vectors: sp.csr_matrix,
    transposed: sp.csr_matrix,
    k: int,
    candidates: int | None,
) -> tuple[np.ndarray, np.ndarray]:
    end = min(start + ROWS_PER_CHUNK, vectors.shape[0])
    size = end - start
    scores = (candidate_vectors[start:end] @ transposed).tocsr()
    # Every row's scored papers at once (the chunk's rows are its offsets), less the
    # paper itself and papers it shares no weight with; in each row, in scored order.
    rows = np.repeat(np.arange(size), np.diff(scores.indptr))
    keep = (scores.indices != rows + start) & (scores.data > 0)
    rows, columns, values = rows[keep], scores.indices[keep], scores.data[keep]
    if candidates is not None:
        chosen = _best_of_each_row(rows, values, size, candidates)
        rows, columns = rows[chosen], columns[chosen]
        # Re-score the candidates with the full vectors: the cosine itself, not the part
        # of it the distinctive words carry.
        values = np.asarray(vectors[rows + start].multiply(vectors[columns]).sum(axis=1)).ravel().astype(np.float32)
    # Most similar first, ties by index (the same input always gives the same order):
    # one sort of the chunk by row, then rounded similarity, then index.
    order = np.lexsort((columns, -np.round(values, 6), rows))
    rows, columns, values = rows[order], columns[order], values[order]
    rank = np.arange(len(rows)) - np.searchsorted(rows, np.arange(size))[rows]
    top = rank < k
    indices = np.full((size, k), -1, dtype=np.int64)
    best = np.zeros((size, k), dtype=np.float32)
    indices[rows[top], rank[top]] = columns[top]
    best[rows[top], rank[top]] = values[top]
    return indices, best


def _best_of_each_row(rows: np.ndarray, values: np.ndarray, size: int, count: int) -> np.ndarray:
    """Positions of the ``count`` highest ``values`` of each row (``rows`` ascending, of
    ``size`` rows), all of a row that has no more: as ``np.argpartition`` picks them row by
    row, so that a tie at the cut keeps the same papers."""
    bounds = np.searchsorted(rows, np.arange(size + 1))
    lengths = np.diff(bounds)
    chosen = [np.flatnonzero(lengths[rows] <= count)]
    # Only rows with more are read one at a time.
    for row in np.flatnonzero(lengths > count).tolist():
        low = bounds[row]
        chosen.append(low + np.argpartition(-values[low : bounds[row + 1]], count)[:count])
    return np.concatenate(chosen)


def related_papers(
    keys: Sequence[str],
    nearest: Neighbours,
    kept_of: dict[str, str],
    count: int = RELATED_PAPERS,
    min_similarity: float = MIN_RELATED_SIMILARITY,
    topics: Mapping[str, Sequence[str]] | None = None,
    relative_floor: float = RELATIVE_FLOOR,
    mutual_rank: int = MUTUAL_RANK,
) -> dict[str, tuple[str, ...]]:
    """``{paper key: keys of its most similar papers}``, most similar first.

    ``nearest`` has a row per key of ``keys``. A paper lists another from
    ``min_similarity``, if that one is within ``relative_floor`` of its best neighbour and
    it is itself among the other's ``mutual_rank`` closest (0: no such condition; see
    :data:`MUTUAL_RANK`). Papers merged as near-duplicates (``kept_of``: merged key to
    kept key) count as the paper they were merged into, and never as related to
    themselves. With ``topics`` (kept key to its topic slugs), two papers that both have
    topics are related only if they share one: words alike across fields ("noise",
    "sampling") do not make papers of two fields related.
    """
    indices, scores = nearest.indices, nearest.scores
    kept = close_both_ways(nearest, relative_floor, mutual_rank)
    if indices.size:
        # A row is read up to its first empty slot or weak similarity (rows are sorted
        # most similar first), and only its close neighbours are kept: the slots are
        # filtered at once and only the kept ones read in Python (at 50,000 papers, a
        # million slots). The similarity is compared as a Python float, as it is below.
        weak = (indices < 0) | (scores.astype(np.float64) < min_similarity)
        read = np.where(weak.any(axis=1), weak.argmax(axis=1), indices.shape[1])
        kept &= np.arange(indices.shape[1]) < read[:, None]
    rows, columns = np.nonzero(kept)
    best: dict[str, dict[str, float]] = {kept_of.get(key, key): {} for key in keys}
    pairs = zip(rows.tolist(), indices[rows, columns].tolist(), scores[rows, columns].tolist(), strict=True)
    for row, other_index, score in pairs:
        own = kept_of.get(keys[row], keys[row])
        other = kept_of.get(keys[other_index], keys[other_index])
        if topics is not None and not _share_a_topic(topics.get(own, ()), topics.get(other, ())):
            continue
        candidates = best[own]
        if other != own and score > candidates.get(other, -1.0):
            candidates[other] = score
    return {
        key: tuple(sorted(candidates, key=lambda other: (-round(candidates[other], RANKING_DECIMALS), other))[:count])
        for key, candidates in best.items()
        if candidates
    }


def blend_similarities(nearest: Neighbours, embeddings: np.ndarray, tfidf_weight: float = TFIDF_WEIGHT) -> Neighbours:
    """``nearest`` (TF-IDF neighbours and cosines) scored again:
    ``tfidf_weight`` * TF-IDF cosine + (1 - ``tfidf_weight``) * the cosine of the
    papers' unit-length ``embeddings`` (a row per paper), and sorted again, most similar
    first, ties by index. The candidates stay the TF-IDF ones, so the work per paper is
    bounded by their number whatever the archive's size."""
    indices = nearest.indices
    blended = np.full(indices.shape, -1.0, dtype=np.float32)
    for start in range(0, len(indices), ROWS_PER_CHUNK):
        rows = indices[start : start + ROWS_PER_CHUNK]
        valid = rows >= 0
        others = embeddings[np.where(valid, rows, 0)]  # (chunk, k, dimensions)
        cosines = np.einsum("rd,rkd->rk", embeddings[start : start + len(rows)], others)
        mixed = tfidf_weight * nearest.scores[start : start + len(rows)] + (1 - tfidf_weight) * cosines
        blended[start : start + len(rows)] = np.where(valid, mixed, -1.0)
    # Most similar first, ties by index; the empty slots (-1) last.
    order = np.lexsort((np.where(indices >= 0, indices, np.iinfo(np.int64).max), -np.round(blended, RANKING_DECIMALS)))
    return Neighbours(np.take_along_axis(indices, order, 1), np.take_along_axis(blended, order, 1))


def close_both_ways(nearest: Neighbours, relative_floor: float, mutual_rank: int) -> np.ndarray:
    """A mask the shape of ``nearest.indices``: True where the neighbour is within
    ``relative_floor`` of the row's best similarity and, when ``mutual_rank`` is set, the
    row is in turn among that neighbour's first ``mutual_rank`` neighbours that are within
    its own relative floor. Linear in the number of rows."""
    indices, scores = nearest.indices, nearest.scores
    if not len(indices):
        return np.zeros(indices.shape, dtype=bool)
    close = (indices >= 0) & (scores >= relative_floor * scores[:, :1])
    if not mutual_rank:
        return close
    rank = min(mutual_rank, indices.shape[1])
    # Rows are sorted most similar first and the relative floor cuts each row once, so a
    # row's closest neighbours are its first `rank` columns that pass it.
    theirs = np.where(close[:, :rank], indices[:, :rank], -1)  # (rows, rank)
    others = np.where(indices >= 0, indices, 0)
    rows = np.arange(len(indices))[:, None, None]
    mutual = (theirs[others] == rows).any(axis=2)  # (rows, k): am I among my neighbour's?
    return close & mutual


def _share_a_topic(mine: Sequence[str], theirs: Sequence[str]) -> bool:
    """True unless both have topics and none in common."""
    return not mine or not theirs or not set(mine).isdisjoint(theirs)
