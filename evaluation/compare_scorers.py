"""Learned tag scorers against the rules, on the labelled papers (evaluation/README.md).

    python evaluation/compare_scorers.py [--digests ../shared/digests]

Trains on the tune half and prints precision and recall on the held-out half for:

* the rules (taxonomy.yml, as the site tags papers);
* a logistic regression over the rules' own evidence for each candidate topic (its
  score, its score against the paper's best, whether and where the rules chose it);
* a TF-IDF text classifier per topic (one against the rest), alone and as a veto on the
  rules' tags.

It is a measurement, not part of the generator: the issue asked for a learned scorer if
it beats the rules on the held-out half, and this is how that was decided.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

from generator.analysis.evaluation import LabelledPaper, load_labels
from generator.analysis.tagging import TagMatcher
from generator.analysis.taxonomy import load_taxonomy
from generator.config import load_config
from generator.pipeline import load_archive

REPO = Path(__file__).resolve().parent.parent


class _Quiet:
    def info(self, text: str) -> None: ...
    def warning(self, text: str) -> None: ...
    def error(self, text: str) -> None: ...


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--digests", type=Path, default=REPO.parent / "shared" / "digests")
    parser.add_argument("--labels", type=Path, default=REPO / "evaluation" / "shared-digests.yml")
    args = parser.parse_args()
    config = load_config(REPO / "archive.yml")
    config = type(config)(**{**config.__dict__, "digests": args.digests, "year": 2025})
    archive = load_archive(config, False, _Quiet()).archive
    labels = load_labels(args.labels, (tag.slug for tag in archive.tags))
    by_slug = {paper.slug: paper for paper in archive.papers.values()}
    matcher = TagMatcher(load_taxonomy(config.taxonomy))
    tune, held = labels.chosen("tune"), labels.chosen("held-out")

    def figures(given_by_slug: dict[str, set[str]]) -> str:
        given = right = fitting = found = 0
        for label in held:
            tags = given_by_slug.get(label.slug, set())
            given += len(tags)
            right += len(tags & (label.topics | label.acceptable))
            fitting += len(label.topics)
            found += len(tags & label.topics)
        return f"precision {100 * right / max(given, 1):.1f}% ({right} of {given}), recall {100 * found / fitting:.1f}%"

    def candidates(chosen: list[LabelledPaper]) -> tuple[np.ndarray, np.ndarray, list[tuple[str, str]]]:
        rows, fits, where = [], [], []
        for label in chosen:
            paper = by_slug[label.slug]
            scores = matcher.scores(paper.title, paper.abstract)
            tags = list(paper.tags)
            best = max(scores.values(), default=1) or 1
            for slug in sorted(set(scores) | set(tags)):
                score = scores.get(slug, 0)
                rank = tags.index(slug) if slug in tags else 5
                rows.append([score, score / best, slug in tags, rank, score >= matcher.min_score[slug]])
                fits.append(slug in label.topics or slug in label.acceptable)
                where.append((label.slug, slug))
        return np.array(rows, dtype=float), np.array(fits), where

    print(f"held-out half, {len(held)} papers; trained on the tune half, {len(tune)} papers")
    rules = {label.slug: set(by_slug[label.slug].tags) for label in held}
    print(f"  rules:                                {figures(rules)}")
    train_rows, train_fits, _ = candidates(tune)
    rows, _, where = candidates(held)
    evidence = LogisticRegression(max_iter=1000).fit(train_rows, train_fits)
    for threshold in (0.5, 0.7):
        chosen: dict[str, set[str]] = {}
        for (slug, topic), chance in zip(where, evidence.predict_proba(rows)[:, 1], strict=True):
            if chance >= threshold:
                chosen.setdefault(slug, set()).add(topic)
        print(f"  rules' evidence, regression >= {threshold}:   {figures(chosen)}")

    def text(label: LabelledPaper) -> str:
        paper = by_slug[label.slug]
        return " ".join([paper.title] * 3 + [paper.abstract])

    vectoriser = TfidfVectorizer(sublinear_tf=True, ngram_range=(1, 2))
    train = vectoriser.fit_transform([text(label) for label in tune])
    test = vectoriser.transform([text(label) for label in held])
    chances: dict[str, np.ndarray] = {}
    for tag in archive.tags:
        fits = [tag.slug in label.topics or tag.slug in label.acceptable for label in tune]
        if any(fits):
            model = LogisticRegression(C=10, max_iter=1000, class_weight="balanced").fit(train, fits)
            chances[tag.slug] = model.predict_proba(test)[:, 1]
    for threshold in (0.3, 0.5):
        alone = {label.slug: {s for s in chances if chances[s][i] >= threshold} for i, label in enumerate(held)}
        print(f"  text classifier >= {threshold}:             {figures(alone)}")
        veto = {
            label.slug: {s for s in by_slug[label.slug].tags if s not in chances or chances[s][i] >= threshold / 2}
            for i, label in enumerate(held)
        }
        print(f"  rules, vetoed below {threshold / 2}:          {figures(veto)}")


if __name__ == "__main__":
    main()
