"""``digest-archive fetch`` and ``enrich`` against a local API with faults (tests/fake_hf_api.py)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from generator.config import load_config
from generator.errors import ArchiveError
from generator.fetching import dates_to_fetch, enrich, fetch
from generator.pipeline import RunOptions
from generator.sources.hf_api import ApiError, ApiSettings, DailyPapersApi
from generator.sources.hf_json import read_json_digest
from generator.sources.metadata_cache import read_cache

from .fake_hf_api import FakeApi, many_items, paper_item, serving
from .helpers import Recorder, make_project, run_cli

TOKEN = "hf_secretTOKENvalue123"
# Short waits: the faults are retried in well under a second (Retry-After: 1 aside).
FAST = "fetch:\n  retries: 2\n  timeout: 0.5\n  first_wait: 0.05\n  longest_wait: 2\n"


def project(tmp_path: Path) -> Path:
    root = make_project(tmp_path / "project")
    (root / "archive.yml").write_text(FAST)
    return root


def environment(api: FakeApi, home: Path) -> dict[str, str]:
    # HF_HOME: no token stored on this machine is read; only HF_TOKEN.
    return {"HF_ENDPOINT": api.url, "HF_TOKEN": TOKEN, "HF_HOME": str(home)}


def client(api: FakeApi, retries: int = 2) -> DailyPapersApi:
    waits: list[float] = []
    return DailyPapersApi(
        ApiSettings(endpoint=api.url, timeout=0.5, retries=retries, first_wait=0.01, longest_wait=5),
        sleep=waits.append,
    )


def test_a_range_with_faults_saves_every_good_day_and_names_the_failing_one(tmp_path):
    root = project(tmp_path)
    api = FakeApi(
        days={
            "2025-03-10": [
                paper_item("2503.07000", "Q-VLM: Post-training Quantization", "In this paper, we quantize.")
            ],
            "2025-03-11": many_items("2025-03-11", 61),
            "2025-03-12": many_items("2025-03-12", 2),
            "2025-03-14": many_items("2025-03-14", 3),
        },
        faults={"2025-03-12": "500", "2025-03-14": "429"},
    )
    with serving(api):
        result = run_cli(
            "fetch", "--since", "2025-03-10", "--until", "2025-03-14", cwd=root, env=environment(api, tmp_path)
        )
    assert result.returncode == 1, result.stderr
    last = result.stderr.strip().splitlines()[-1]
    assert "1 day of 5 failed: 2025-03-12 (HTTP 500" in last and last.endswith("; the other 4 days were fetched")
    assert "2025-03-13: no papers listed; nothing written" in result.stderr
    assert "2025-03-14: HTTP 429; trying again in 1 s" in result.stderr  # Retry-After honoured
    saved = sorted(path.name for path in (root / "digests").iterdir())
    assert saved == ["2025-03-10.json", "2025-03-11.json", "2025-03-14.json"]
    # 61 papers: a second page was asked for, and every item is kept.
    pages = [query.get("p", ["0"]) for query in api.asked("/api/daily_papers") if query["date"] == ["2025-03-11"]]
    assert pages == [["0"], ["1"]]
    document = json.loads((root / "digests" / "2025-03-11.json").read_text())
    assert len(document["items"]) == 61 and document["date"] == "2025-03-11"
    assert document["items"][0] == many_items("2025-03-11", 61)[0]  # the raw item, nothing dropped
    # The token is sent, never printed.
    listings = [headers for path, _, headers in api.requests if path == "/api/daily_papers"]
    assert all({k.lower(): v for k, v in headers.items()}["authorization"] == f"Bearer {TOKEN}" for headers in listings)
    assert TOKEN not in result.stderr + result.stdout


@pytest.mark.parametrize(
    ("fault", "message"),
    [("timeout", "no answer within 0.5 s"), ("truncated", "not valid JSON"), ("not-json", "not valid JSON")],
)
def test_a_day_that_times_out_or_gives_bad_json_is_an_error_naming_it_and_writes_nothing(tmp_path, fault, message):
    root = project(tmp_path)
    api = FakeApi(days={"2025-03-11": many_items("2025-03-11", 3)}, faults={"2025-03-11": fault}, slow_seconds=1.5)
    with serving(api):
        result = run_cli("fetch", "--date", "2025-03-11", cwd=root, env=environment(api, tmp_path))
    assert result.returncode == 1
    assert "2025-03-11" in result.stderr and message in result.stderr
    assert "Traceback" not in result.stderr
    assert list((root / "digests").iterdir()) == []  # no file, no partial file


def test_saved_days_are_skipped_unless_refreshed_and_rewritten_only_when_changed(tmp_path):
    root = project(tmp_path)
    items = many_items("2025-03-11", 2)
    api = FakeApi(days={"2025-03-11": items})
    config = load_config(root / "archive.yml")
    report = Recorder()
    with serving(api):
        fetch(config, [dt.date(2025, 3, 11)], False, RunOptions(), report, client(api))
        path = root / "digests" / "2025-03-11.json"
        first = path.read_bytes()
        asked = len(api.requests)
        result = fetch(config, [dt.date(2025, 3, 11)], False, RunOptions(), report, client(api))
        assert result.skipped == 1 and len(api.requests) == asked  # not even asked
        later = lambda: dt.datetime(2025, 3, 20, tzinfo=dt.timezone.utc)  # noqa: E731
        result = fetch(config, [dt.date(2025, 3, 11)], True, RunOptions(), report, client(api), now=later)
        assert result.unchanged == 1 and path.read_bytes() == first
        items[0]["paper"]["upvotes"] = 99
        result = fetch(config, [dt.date(2025, 3, 11)], True, RunOptions(), report, client(api), now=later)
    assert result.saved == 1
    digest = read_json_digest(path)
    assert digest.entries[0].meta.upvotes == 99
    assert digest.entries[0].meta.upvotes_on == dt.date(2025, 3, 20)


def test_a_plain_fetch_reads_the_last_refresh_days_again():
    today = dt.date(2025, 3, 20)
    dates, refresh = dates_to_fetch(today, 14)
    assert refresh and dates[0] == dt.date(2025, 3, 7) and dates[-1] == today and len(dates) == 14
    assert dates_to_fetch(today, 14, date=dt.date(2025, 1, 1)) == ([dt.date(2025, 1, 1)], False)
    with pytest.raises(ArchiveError, match="before --since"):
        dates_to_fetch(today, 14, since=dt.date(2025, 3, 5), until=dt.date(2025, 3, 1))


def test_retries_are_bounded_and_honour_retry_after():
    api = FakeApi(days={"2025-03-11": many_items("2025-03-11", 1)}, faults={"2025-03-11": "500"})
    waits: list[float] = []
    with serving(api):
        reader = DailyPapersApi(
            ApiSettings(endpoint=api.url, timeout=0.5, retries=4, first_wait=0.25, longest_wait=0.75),
            sleep=waits.append,
        )
        with pytest.raises(ApiError, match="HTTP 500 .gave up after 5 tries"):
            reader.day(dt.date(2025, 3, 11))
        assert waits == [0.25, 0.5, 0.75, 0.75]  # doubling, capped
        reader.settings = ApiSettings(endpoint=api.url, timeout=0.5, retries=4, first_wait=0.25, longest_wait=3)
        api.faults["2025-03-12"] = "429"
        api.days["2025-03-12"] = many_items("2025-03-12", 1)
        waits.clear()
        assert len(reader.day(dt.date(2025, 3, 12))) == 1
        assert waits == [1]  # the server's Retry-After


def test_items_with_missing_fields_and_hostile_strings_are_saved_and_read_exactly(tmp_path):
    root = project(tmp_path)
    hostile = ["<script>alert(1)</script>", "{Brace", "Quote \"double\" 'single'", "\u202eRTL override", "שלום"]
    bare = {"paper": {"id": "2503.09999", "title": "Only a title"}}
    odd = paper_item(
        "2503.09998", "Odd types", "Abstract.", upvotes="many", authors="nobody", githubRepo="javascript:x"
    )
    hostile_item = paper_item(
        "2503.09997",
        "Hostile <b>names</b>",
        "Abstract {{ x }}.",
        authors=[{"_id": str(n), "name": name, "hidden": False} for n, name in enumerate(hostile)],
    )
    no_title = {"paper": {"id": "2503.09996"}}
    api = FakeApi(days={"2025-03-11": [bare, odd, hostile_item, no_title]})
    with serving(api):
        result = run_cli("fetch", "--date", "2025-03-11", cwd=root, env=environment(api, tmp_path))
    assert result.returncode == 0, result.stderr
    assert "item 4: no title; left out" in result.stderr
    digest = read_json_digest(root / "digests" / "2025-03-11.json")
    bare_entry, odd_entry, hostile_entry = digest.entries
    assert bare_entry.title == "Only a title" and bare_entry.abstract == ""
    assert bare_entry.meta.arxiv_id == "2503.09999" and bare_entry.meta.authors == ()
    assert odd_entry.meta.upvotes is None and odd_entry.meta.authors == () and odd_entry.meta.github_repo == ""
    assert hostile_entry.meta.authors == tuple(hostile)


def test_enrich_looks_up_text_papers_once_and_records_finds_and_misses(tmp_path):
    root = project(tmp_path)
    digests = root / "digests"
    digests.mkdir()
    (digests / "2025-03-10.txt").write_text(
        "Mar 10\n\nQ-VLM: Post-training Quantization for Large Vision-Language Models\n\n"
        "In this paper, we propose a post-training quantization framework of large vision-language models.\n\n"
        "A Paper Nobody Indexed\n\nIts abstract.\n",
        encoding="utf-8",
    )
    found = paper_item(
        "2503.07000",
        "Q-VLM: Post-Training Quantization for Large Vision-Language Models",
        "In this paper, we propose a post-training quantization framework of large vision-language models (LVLMs).",
        upvotes=12,
    )
    decoy = paper_item("2503.07555", "Q-VLM 2: Faster Quantization for Large Vision-Language Models", "Other.")
    api = FakeApi(
        searches={"Q-VLM: Post-training Quantization for Large Vision-Language Models": [decoy, found]},
    )
    config = load_config(root / "archive.yml")
    with serving(api):
        result = enrich(config, RunOptions(), Recorder(), api=client(api), today=dt.date(2025, 3, 21))
        assert (result.looked_up, result.found, result.missed) == (2, 1, 1)
        lookups = read_cache(root / "metadata.json")
        (hit,) = [lookup for lookup in lookups.values() if lookup.paper]
        assert hit.paper["id"] == "2503.07000" and hit.looked_up == dt.date(2025, 3, 21)
        assert hit.meta.upvotes == 12 and hit.meta.upvotes_on == dt.date(2025, 3, 21)
        asked = len(api.requests)
        again = enrich(config, RunOptions(), Recorder(), api=client(api))
        assert again.looked_up == 0 and len(api.requests) == asked  # misses are not retried
        retried = enrich(config, RunOptions(), Recorder(), retry_misses=True, api=client(api))
        assert retried.looked_up == 1 and len(api.requests) == asked + 1


def test_enrich_with_the_api_down_saves_nothing_wrong_and_the_build_still_works(tmp_path):
    root = project(tmp_path)
    digests = root / "digests"
    digests.mkdir()
    (digests / "2025-03-10.txt").write_text(
        "Mar 10\n\n" + "".join(f"Paper {n}\n\nAbstract number {n}.\n\n" for n in range(5)), encoding="utf-8"
    )
    api = FakeApi(faults={f"Paper {n}": "500" for n in range(5)})
    with serving(api):
        result = run_cli("enrich", cwd=root, env=environment(api, tmp_path))
        assert result.returncode == 1 and "the API seems down; stopping" in result.stderr
        assert len(api.asked("/api/papers/search")) == 3 * 3  # three papers, three tries each, then it stops
    assert not (root / "metadata.json").exists()
    # Builds never use the network: with the service gone, the site still builds.
    built = run_cli("build", "--strict", cwd=root, env={"HF_ENDPOINT": "http://127.0.0.1:9"})
    assert built.returncode == 0, built.stderr
