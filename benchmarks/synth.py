"""Write a synthetic multi-year digest archive for benchmarks.

Realistic in the ways that cost time and space: 40 to 60 papers a day, about 15% of each
day's listings are papers first listed within the previous 30 days, abstracts of 1.3 to
1.9 KB carrying the Markdown hazards of real ones, about 40% ending in a code link, the
digest header, and dates whose year is in the file name (``2024-03-28.txt``).

Abstracts are written like real ones for text similarity and tagging: common words, the
words of two research areas per paper (an area has its own technical terms and names a
topic or two of the taxonomy), and rare words from a long-tailed vocabulary. A few
repeats come back with one word of the title changed, as digests sometimes do.

With ``--metadata`` each day is a structured digest instead (``2024-03-28.json``, the
shape of the Daily Papers API): every paper with an arXiv id, 2 to 14 authors, upvotes,
an AI summary and keywords, and for some a GitHub repository with stars and a project
page, as a fully fetched archive would be.

    python benchmarks/synth.py --papers 10000 --out /tmp/digests [--metadata]
"""

from __future__ import annotations

import argparse
import bisect
import datetime as dt
import json
import random
from pathlib import Path

HEADER = "new\n\nGet trending papers in your email inbox!\n\nSubscribe\n\nbyAK and the research community\n\n"
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
REPEAT_SHARE = 0.15
REPEAT_WINDOW_DAYS = 30

SYLLABLES = [
    "ka",
    "lo",
    "mi",
    "ne",
    "ru",
    "sa",
    "ti",
    "vo",
    "ze",
    "qua",
    "dra",
    "fle",
    "gri",
    "pro",
    "sta",
    "tor",
    "vex",
    "lin",
    "mor",
    "bel",
    "cin",
    "dax",
]
ADJECTIVES = [
    "Scalable",
    "Robust",
    "Efficient",
    "Provable",
    "Sparse",
    "Adaptive",
    "Certified",
    "Private",
    "Federated",
    "Low-Rank",
    "Self-Supervised",
    "Contrastive",
    "Bayesian",
    "Causal",
    "Hierarchical",
    "Multimodal",
    "Latent",
    "Stochastic",
    "Quantized",
    "Generalized",
    "Unified",
    "Fast",
    "Stable",
    "Implicit",
    "Equivariant",
    "Continual",
]
METHODS = [
    "Diffusion Models",
    "Transformers",
    "Language Models",
    "Graph Neural Networks",
    "Policy Optimization",
    "Score Matching",
    "Mixture of Experts",
    "Vision-Language Models",
    "Normalizing Flows",
    "Autoencoders",
    "Optimal Transport",
    "Gradient Descent",
    "Reward Models",
    "Neural Operators",
    "Speech Recognition",
    "Randomized Smoothing",
    "Pruning",
    "Quantization",
    "Knowledge Distillation",
    "Attention",
]
TASKS = [
    "Image Generation",
    "Reasoning",
    "Matrix Completion",
    "Domain Generalization",
    "Noisy Labels",
    "Offline Reinforcement Learning",
    "Protein Design",
    "Time Series Forecasting",
    "Code Generation",
    "Adversarial Robustness",
    "Machine Unlearning",
    "Federated Fine-Tuning",
    "3D Reconstruction",
    "Text-to-Speech",
    "Out-of-Distribution Detection",
    "Continual Learning",
    "Causal Discovery",
]
COMMON = [
    "we",
    "propose",
    "a",
    "method",
    "that",
    "model",
    "training",
    "data",
    "learning",
    "performance",
    "results",
    "show",
    "improves",
    "existing",
    "approaches",
    "framework",
    "theoretical",
    "analysis",
    "experiments",
    "accuracy",
    "efficient",
    "representation",
    "optimization",
    "loss",
    "distribution",
    "sample",
    "bound",
    "the",
    "of",
    "and",
    "in",
    "to",
    "for",
    "with",
    "on",
    "this",
    "our",
    "is",
    "are",
    "by",
    "from",
    "which",
    "can",
    "these",
    "new",
    "two",
    "both",
    "while",
    "however",
    "across",
    "several",
    "using",
    "inference",
    "evaluation",
    "dataset",
    "tasks",
    "state-of-the-art",
    "parameters",
    "memory",
    "compute",
    "scaling",
    "layer",
    "features",
    "prior",
    "estimator",
    "variance",
    "regularization",
    "study",
    "approach",
    "problem",
]
# Topic phrases that the default taxonomy recognises, one or two named by each area.
AREA_TOPICS = (
    "diffusion models",
    "large language models",
    "quantization",
    "pruning",
    "adversarial attacks",
    "randomized smoothing",
    "differential privacy",
    "machine unlearning",
    "reinforcement learning",
    "graph neural networks",
    "speech recognition",
    "label noise",
    "self-supervised learning",
    "distribution shift",
    "Bayesian inference",
    "optimal transport",
    "neural operators",
    "time series forecasting",
    "causal discovery",
    "federated learning",
    "continual learning",
    "knowledge distillation",
    "LoRA fine-tuning",
    "stochastic gradient descent",
    "generalization bounds",
    "dataset distillation",
    "vision-language models",
    "object detection",
    "image restoration",
    "recommender systems",
    "tabular data",
    "attribution methods",
    "normalization layers",
)
AREAS = 120
AREA_WORDS = 40
RARE_VOCABULARY = 30000
NEAR_DUPLICATE_SHARE = 0.03
HAZARDS = (
    "``golden''",
    "[m]times [n]",
    "|Omega|",
    "50\\%",
    "QuIP#",
    "<! p!leq!1",
    "x^*|_infty",
    "{ell_2}",
    "O(n log n)",
    "*",
    "_{t}",
    "~(NFE)",
    "<script>",
    "a|b|c",
    "# of",
    "&",
)


def _code_name(rng: random.Random) -> str:
    return "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 3))).capitalize()


def _title(rng: random.Random) -> str:
    return (
        f"{_code_name(rng)}: {rng.choice(ADJECTIVES)} {rng.choice(METHODS)} for "
        f"{rng.choice(TASKS)} via {rng.choice(ADJECTIVES)} {rng.choice(METHODS)}"
    )


class _Language:
    """The vocabulary of the synthetic archive: common words, research areas, rare words."""

    def __init__(self, rng: random.Random) -> None:
        words = set()
        while len(words) < AREAS * AREA_WORDS + RARE_VOCABULARY:
            words.add("".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4))))
        words = sorted(words)
        rng.shuffle(words)
        self.areas = [
            (words[i * AREA_WORDS : (i + 1) * AREA_WORDS], rng.sample(AREA_TOPICS, rng.randint(1, 2)))
            for i in range(AREAS)
        ]
        self.rare = words[AREAS * AREA_WORDS :]
        # Rare words follow Zipf's law: the k-th is drawn with weight 1 / (k + 10).
        total = 0.0
        self.rare_cumulative = []
        for rank in range(len(self.rare)):
            total += 1.0 / (rank + 10)
            self.rare_cumulative.append(total)

    def word(self, rng: random.Random, areas: list) -> str:
        draw = rng.random()
        if draw < 0.6:
            return rng.choice(COMMON)
        if draw < 0.88:
            return rng.choice(rng.choice(areas)[0])
        if draw < 0.9:
            return rng.choice(rng.choice(areas)[1])
        position = bisect.bisect_left(self.rare_cumulative, rng.random() * self.rare_cumulative[-1])
        return self.rare[min(position, len(self.rare) - 1)]


def _abstract(rng: random.Random, title: str, language: _Language) -> str:
    """1.3 to 1.9 KB: sentences of at most 16 words (under 200 characters) up to a target."""
    areas = rng.sample(language.areas, 2)
    code_link = ""
    if rng.random() < 0.4:
        slug = title.split(":")[0].lower()
        code_link = f" Code is available at https://github.com/lab-{rng.randint(1, 999)}/{slug}."
    target = rng.randint(1300, 1700) - len(code_link)
    sentences = []
    length = 0
    while length < target:
        words = [language.word(rng, areas) for _ in range(rng.randint(8, 14))]
        if rng.random() < 0.35:
            words.insert(rng.randrange(len(words)), rng.choice(HAZARDS))
        sentence = " ".join(words).capitalize() + "."
        sentences.append(sentence)
        length += len(sentence) + 1
    return " ".join(sentences) + code_link


def _near_duplicate_title(rng: random.Random, title: str) -> str:
    """The title with one word changed, as a digest sometimes relists a paper."""
    words = title.split(" ")
    position = rng.randrange(1, len(words))
    words[position] = rng.choice(ADJECTIVES) if words[position] != "for" else "with"
    return " ".join(words)


FAMILY_NAMES = [
    "Chen",
    "Wang",
    "Zhang",
    "Li",
    "Liu",
    "Smith",
    "Kumar",
    "Garcia",
    "Müller",
    "Rossi",
    "Kim",
    "Nguyen",
    "Tanaka",
    "Okafor",
    "Silva",
    "Novak",
    "Cohen",
    "Ivanova",
    "Brown",
    "Åberg",
]
GIVEN_NAMES = [
    "Wei",
    "Mei",
    "Jun",
    "Anna",
    "Raj",
    "Maria",
    "Luca",
    "Hana",
    "Yuki",
    "Chidi",
    "João",
    "Eva",
    "Noam",
    "Olga",
    "James",
    "Sofia",
    "Tomás",
    "Priya",
    "Ingrid",
    "Kwame",
]


def _item(rng: random.Random, number: int, title: str, abstract: str, date: dt.date) -> dict:
    """An item of the Daily Papers API for one synthetic paper (its id from its number)."""
    arxiv_id = f"{date.year % 100:02d}{date.month:02d}.{number % 100000:05d}"
    paper: dict = {
        "id": arxiv_id,
        "authors": [
            {"_id": f"a{number}-{n}", "name": f"{rng.choice(GIVEN_NAMES)} {rng.choice(FAMILY_NAMES)}", "hidden": False}
            for n in range(rng.randint(2, 14))
        ],
        "publishedAt": f"{(date - dt.timedelta(days=1)).isoformat()}T17:59:58.000Z",
        "title": title,
        "summary": abstract,
        "upvotes": int(rng.paretovariate(1.2)) - 1,
        "ai_summary": f"The paper studies {title.lower()} and reports gains over strong baselines.",
        "ai_keywords": rng.sample(abstract.split(), 4),
    }
    if rng.random() < 0.4:
        paper["githubRepo"] = f"https://github.com/lab{number % 997}/project-{number}"
        paper["githubStars"] = rng.randint(0, 3000)
    if rng.random() < 0.15:
        paper["projectPage"] = f"https://lab{number % 997}.github.io/project-{number}/"
    return {"paper": paper, "title": title, "summary": abstract, "numComments": rng.randint(0, 5)}


def write_archive(
    papers: int, out: Path, seed: int = 1, start: dt.date = dt.date(2022, 1, 3), metadata: bool = False
) -> dict:
    """Write digests until ``papers`` unique papers exist; return counts. With
    ``metadata``, structured digests (JSON, the API's shape) instead of text ones."""
    items: dict[str, dict] = {}
    rng = random.Random(seed)
    language = _Language(random.Random(seed + 1))
    out.mkdir(parents=True, exist_ok=True)
    first_listed: list[tuple[dt.date, str, str]] = []  # (date, title, abstract)
    date = start
    days = appearances = 0
    while len(first_listed) < papers:
        count = rng.randint(40, 60)
        recent = [p for p in first_listed[-REPEAT_WINDOW_DAYS * 60 :] if (date - p[0]).days <= REPEAT_WINDOW_DAYS]
        repeats = rng.sample(recent, min(len(recent), round(count * REPEAT_SHARE)))
        fresh = []
        for _ in range(min(count - len(repeats), papers - len(first_listed))):
            title = _title(rng)
            fresh.append((date, title, _abstract(rng, title, language)))
        first_listed.extend(fresh)
        listing = [
            (_near_duplicate_title(rng, t) if rng.random() < NEAR_DUPLICATE_SHARE else t, a) for _, t, a in repeats
        ] + [(t, a) for _, t, a in fresh]
        rng.shuffle(listing)
        if metadata:
            for first, title, abstract in fresh:
                items[abstract] = _item(rng, len(items), title, abstract, first)
            day_items = []
            for title, abstract in listing:
                item = json.loads(json.dumps(items[abstract]))
                item["paper"]["title"] = item["title"] = title
                day_items.append(item)
            document = {
                "date": date.isoformat(),
                "fetched": f"{(date + dt.timedelta(days=14)).isoformat()}T06:00:00Z",
                "items": day_items,
            }
            (out / f"{date.isoformat()}.json").write_text(
                json.dumps(document, ensure_ascii=False, indent=1), encoding="utf-8"
            )
        else:
            body = "".join(f"{title}\n\n{abstract}\n\n" for title, abstract in listing)
            text = f"{HEADER}{MONTHS[date.month - 1]} {date.day}\n\n{body}"
            (out / f"{date.isoformat()}.txt").write_text(text, encoding="utf-8")
        days += 1
        appearances += len(listing)
        date += dt.timedelta(days=1)
    return {
        "days": days,
        "appearances": appearances,
        "papers_written": len(first_listed),
        "last_date": date - dt.timedelta(days=1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--papers", type=int, required=True, help="unique papers to write")
    parser.add_argument("--out", type=Path, required=True, help="folder for the digest files")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--metadata", action="store_true", help="structured digests (JSON) with metadata")
    args = parser.parse_args()
    print(write_archive(args.papers, args.out, args.seed, metadata=args.metadata))


if __name__ == "__main__":
    main()
