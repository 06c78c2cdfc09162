"""The pipeline's own choices: here, the listing hashes worked out beside the page plan."""

from __future__ import annotations

import dataclasses
import json
import os

from generator import pipeline
from generator.config import load_config
from generator.pipeline import RunOptions
from generator.site import plan as plan_module
from generator.site.write import MANIFEST_NAME

from .helpers import FIXTURES, Recorder, make_project


def generate_manifest(project, monkeypatch, background_from: int) -> dict:
    monkeypatch.setattr(pipeline, "BACKGROUND_HASHES_FROM", background_from)
    monkeypatch.chdir(project)
    config = dataclasses.replace(load_config(), digests=FIXTURES / "archive")
    pipeline.generate(config, RunOptions(strict=True, force=True), Recorder())
    return json.loads((project / "site_src" / MANIFEST_NAME).read_text())


def test_hashes_worked_out_beside_the_plan_give_the_same_files_and_keys(tmp_path, monkeypatch):
    alone = generate_manifest(make_project(tmp_path / "alone"), monkeypatch, background_from=10**9)
    handed: list[int] = []
    real_know = plan_module.SitePlan.know

    def know(self, hashes):
        handed.append(os.getpid())
        return real_know(self, hashes)

    monkeypatch.setattr(plan_module.SitePlan, "know", know)
    beside = generate_manifest(make_project(tmp_path / "beside"), monkeypatch, background_from=0)
    assert handed == [os.getpid()]  # handed to the plan in this process, before the writers fork
    assert beside["files"] == alone["files"]
    assert {path: key[0] for path, key in beside["keys"].items()} == {
        path: key[0] for path, key in alone["keys"].items()
    }
    for path in alone["files"]:
        assert (tmp_path / "beside" / "site_src" / path).read_bytes() == (
            tmp_path / "alone" / "site_src" / path
        ).read_bytes(), path


def test_the_model_and_the_plan_are_built_without_automatic_collections(tmp_path, monkeypatch):
    import gc

    seen: dict[str, bool] = {}
    real_build_model, real_plan_site = pipeline.build_model, pipeline.plan_site

    def build_model(*args, **kwargs):
        seen["model"] = gc.isenabled()
        return real_build_model(*args, **kwargs)

    def plan_site(*args, **kwargs):
        seen["plan"] = gc.isenabled()
        return real_plan_site(*args, **kwargs)

    monkeypatch.setattr(pipeline, "build_model", build_model)
    monkeypatch.setattr(pipeline, "plan_site", plan_site)
    generate_manifest(make_project(tmp_path / "project"), monkeypatch, background_from=10**9)
    assert seen == {"model": False, "plan": False}
    assert gc.isenabled()
