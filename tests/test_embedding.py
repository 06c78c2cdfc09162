"""The embedding backend for related papers: model lookup, the vector cache, and (when
sentence-transformers is installed, as under .ci/run) the real model end to end."""

from __future__ import annotations

import filecmp
import hashlib
import importlib.util
import os
from pathlib import Path

import numpy as np
import pytest

from generator import embedding
from generator.config import RelatedSettings
from generator.embedding import Embedder, model_folder, read_vectors
from generator.errors import ArchiveError

from .helpers import FIXTURES, SHARED_DIGESTS, evaluation_figures, make_project, run_cli

HAS_SENTENCE_TRANSFORMERS = importlib.util.find_spec("sentence_transformers") is not None


class FakeEncoder:
    """Unit vectors made from a text's hash: the same text, the same vector."""

    def __init__(self) -> None:
        self.texts: list[str] = []

    def encode(self, sentences, **options):
        assert options["batch_size"] == 1 and len(sentences) == 1  # one text at a time
        self.texts += sentences
        seed = int.from_bytes(hashlib.sha256(sentences[0].encode()).digest()[:4], "big")
        vector = np.random.default_rng(seed).normal(size=8).astype(np.float32)
        return (vector / np.linalg.norm(vector))[None, :]


@pytest.fixture()
def model(tmp_path) -> Path:
    folder = tmp_path / "model"
    folder.mkdir()
    (folder / "config.json").write_text('{"dim": 8}')
    (folder / "weights.bin").write_bytes(b"\x01" * 64)
    return folder


def embedder(tmp_path, model, messages, encoders) -> Embedder:
    def load(folder: Path) -> FakeEncoder:
        assert folder == model
        encoders.append(FakeEncoder())
        return encoders[-1]

    settings = RelatedSettings(backend="embeddings", model=str(model), cache=tmp_path / "cache" / "embeddings.npz")
    return Embedder(settings, messages.append, load)


def test_only_texts_without_a_cached_vector_are_encoded_and_the_model_loads_only_then(tmp_path, model):
    messages: list[str] = []
    encoders: list[FakeEncoder] = []
    first = embedder(tmp_path, model, messages, encoders)(["alpha", "beta", "alpha"])
    assert first.shape == (3, 8) and first.dtype == np.float32
    assert np.array_equal(first[0], first[2])
    assert encoders[0].texts == ["alpha", "beta"]  # a repeated text is encoded once

    again = embedder(tmp_path, model, messages, encoders)
    assert np.array_equal(again(["alpha", "beta", "alpha"]), first)
    assert len(encoders) == 1 and again.encoded == 0  # no model loaded: all cached

    changed = embedder(tmp_path, model, messages, encoders)
    result = changed(["alpha", "gamma"])
    assert encoders[-1].texts == ["gamma"] and changed.encoded == 1
    assert np.array_equal(result[0], first[0])
    # The cache keeps only the texts of this run: an edited abstract's old vector goes.
    cached = read_vectors(tmp_path / "cache" / "embeddings.npz", changed.fingerprint, messages.append)
    assert len(cached) == 2
    assert messages == []


def test_a_damaged_cache_costs_encoding_again_never_a_wrong_vector(tmp_path, model):
    messages: list[str] = []
    encoders: list[FakeEncoder] = []
    expected = embedder(tmp_path, model, messages, encoders)(["alpha", "beta"])
    cache = tmp_path / "cache" / "embeddings.npz"
    for damage in (b"not a zip file", cache.read_bytes()[:200]):
        cache.write_bytes(damage)
        result = embedder(tmp_path, model, messages, encoders)(["alpha", "beta"])
        assert np.array_equal(result, expected)
        assert "unreadable embeddings cache" in messages.pop()
        assert encoders[-1].texts == ["alpha", "beta"]


def test_vectors_of_another_model_are_not_used(tmp_path, model):
    messages: list[str] = []
    encoders: list[FakeEncoder] = []
    embedder(tmp_path, model, messages, encoders)(["alpha"])
    (model / "weights.bin").write_bytes(b"\x02" * 64)  # the model updated in place
    other = embedder(tmp_path, model, messages, encoders)
    other(["alpha"])
    assert other.encoded == 1 and len(encoders) == 2
    assert "another model" in messages[0]


def test_vectors_of_another_release_of_the_libraries_are_not_used(tmp_path, model, monkeypatch):
    messages: list[str] = []
    encoders: list[FakeEncoder] = []
    embedder(tmp_path, model, messages, encoders)(["alpha"])
    monkeypatch.setattr(embedding, "_package_version", lambda name: "9.9" if name == "torch" else "1.0")
    upgraded = embedder(tmp_path, model, messages, encoders)
    upgraded(["alpha"])
    assert upgraded.encoded == 1 and "another model" in messages[0]


def test_a_cache_that_cannot_be_written_is_a_warning_and_the_run_goes_on(tmp_path, model):
    messages: list[str] = []
    (tmp_path / "cache").write_text("a file where the cache's folder should be")
    result = embedder(tmp_path, model, messages, [])(["alpha"])
    assert result.shape == (1, 8)
    assert "cannot write the embeddings cache" in messages[0]


def test_a_model_that_is_not_here_is_a_clear_error_naming_the_fix(tmp_path, monkeypatch):
    monkeypatch.setenv("HF_HOME", str(tmp_path / "empty-hf-home"))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    with pytest.raises(ArchiveError, match="nor in the Hugging Face cache.*digest-archive\\[embeddings\\]"):
        model_folder("someone/no-such-model")
    real_find_spec = importlib.util.find_spec
    monkeypatch.setattr(
        embedding.importlib.util,
        "find_spec",
        lambda name, *rest: None if name == embedding.PACKAGED_MODEL else real_find_spec(name, *rest),
    )
    with pytest.raises(ArchiveError, match="sentence-transformers/all-MiniLM-L6-v2"):
        model_folder("")


def test_without_sentence_transformers_the_backend_says_what_to_install(tmp_path, model, monkeypatch):
    monkeypatch.setattr(embedding.importlib.util, "find_spec", lambda name, *rest: None)
    with pytest.raises(ArchiveError, match="needs sentence-transformers: pip install 'digest-archive\\[embeddings\\]'"):
        embedding.load_sentence_transformer(model)


def test_the_related_setting_and_option_choose_the_backend(tmp_path):
    project = make_project(tmp_path / "project")
    (project / "archive.yml").write_text("related:\n  backend: word2vec\n")
    result = run_cli("tags", cwd=project)
    assert result.returncode != 0
    assert "related 'backend' must be tfidf or embeddings, not 'word2vec'" in result.stderr
    (project / "archive.yml").write_text("related:\n  model: [1]\n")
    assert "related 'model' must be text" in run_cli("tags", cwd=project).stderr
    result = run_cli("tags", "--related", "bert", cwd=project)
    assert result.returncode == 2 and "invalid choice: 'bert'" in result.stderr


@pytest.fixture(scope="module")
def sentence_transformers_installed() -> None:
    """The real model's tests run where `make embeddings` installed it; .ci/run sets
    DIGEST_ARCHIVE_REQUIRE_EMBEDDINGS=1, and there its absence fails them."""
    if not HAS_SENTENCE_TRANSFORMERS:
        message = "sentence-transformers not installed (make embeddings)"
        if os.environ.get("DIGEST_ARCHIVE_REQUIRE_EMBEDDINGS") == "1":
            pytest.fail(message)
        pytest.skip(message)


def test_a_texts_vector_does_not_depend_on_the_texts_beside_it(tmp_path, sentence_transformers_installed):
    texts = [
        "Randomized smoothing gives certified robustness against l2 adversarial perturbations.",
        "A short title.",
        "Post-training quantization of large language models to four bits " * 8,
    ]
    alone = Embedder(RelatedSettings(backend="embeddings", cache=tmp_path / "a.npz"), pytest.fail)
    together = Embedder(RelatedSettings(backend="embeddings", cache=tmp_path / "b.npz"), pytest.fail)
    first = np.vstack([alone([text]) for text in texts])
    assert np.array_equal(together(texts), first)  # bit for bit, not approximately
    assert np.allclose(np.linalg.norm(first, axis=1), 1.0, atol=1e-5)
    similar = float(first[0] @ together(["Certified adversarial robustness via randomized smoothing."])[0])
    assert similar > float(first[0] @ first[2])


def test_a_fresh_generate_with_embeddings_gives_the_same_pages_byte_for_byte(tmp_path, sentence_transformers_installed):
    outputs = []
    for run in ("one", "two"):
        project = make_project(tmp_path / run)
        result = run_cli(
            "generate", "--digests", str(FIXTURES / "archive"), "--related", "embeddings", "--force", cwd=project
        )
        assert result.returncode == 0, result.stderr
        assert "abstracts encoded with all-MiniLM-L6-v2" in result.stderr
        assert (project / "embeddings.npz").is_file()
        outputs.append(project / "site_src")
    comparison = filecmp.dircmp(*outputs)
    assert not comparison.diff_files and not comparison.left_only and not comparison.right_only
    # A second run reads every vector from the cache.
    again = run_cli(
        "generate", "--digests", str(FIXTURES / "archive"), "--related", "embeddings", "--force", cwd=project
    )
    assert again.returncode == 0, again.stderr
    assert "encoded" not in again.stderr


@pytest.mark.skipif(not SHARED_DIGESTS.is_dir(), reason="../shared/digests not present")
def test_the_embedding_backend_meets_the_related_target_on_the_held_out_half(tmp_path, sentence_transformers_installed):
    figures = evaluation_figures(make_project(tmp_path / "project"), "--related", "embeddings")
    assert figures["related precision"] >= 80.0, figures
    # More genuinely related papers found than TF-IDF alone finds (113 on this half).
    assert figures["related right"] >= 130, figures
