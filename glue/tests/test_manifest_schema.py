"""The job checks its manifest against glue/manifest.schema.json before it publishes (run_job): a manifest that breaks
the schema the TypeScript readers rely on is refused and nothing is published."""
import json
import os
import sys

import pytest
from fakes import MemoryAdapter
from test_glue_job import model_files

import glue_job
from glue_job import JobError, SourceInfo

FIXTURES = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))),
                        "test", "fixtures", "manifests")


def fixture(name):
    with open(os.path.join(FIXTURES, name), encoding="utf-8") as f:
        return json.load(f)


def validators(monkeypatch):
    """The jsonschema package, then the job's stdlib fallback (a Glue image without jsonschema)."""
    yield "jsonschema"
    with monkeypatch.context() as m:
        m.setitem(sys.modules, "jsonschema", None)
        yield "stdlib"


def test_a_manifest_each_engine_wrote_keeps_the_schema(monkeypatch):
    for _ in validators(monkeypatch):
        for name in ("local-run.json", "glue-run.json"):
            glue_job.refuse_invalid_manifest(fixture(name), log=lambda _m: None)


def test_a_broken_manifest_is_refused_naming_what_is_wrong(monkeypatch):
    manifest = fixture("glue-run.json")
    manifest["source"]["port"] = "3306"
    del manifest["ok"]
    for validator in validators(monkeypatch):
        with pytest.raises(JobError) as err:
            glue_job.refuse_invalid_manifest(manifest, log=lambda _m: None)
        assert "breaks manifest.schema.json, so nothing was published" in str(err.value), validator
        assert "manifest/source/port" in str(err.value) and "'ok'" in str(err.value), validator


def test_without_the_schema_beside_it_the_job_publishes_and_says_it_went_unchecked(tmp_path):
    lines = []
    glue_job.refuse_invalid_manifest({"runId": "r1"}, log=lines.append, schema_file=str(tmp_path / "absent.json"))
    assert lines == ["run r1: warning: absent.json is not beside the job; the manifest was not checked against it"]


def test_a_run_whose_manifest_breaks_the_schema_publishes_nothing(spark, tmp_path):
    adapter = MemoryAdapter(spark, str(tmp_path), model_files())
    adapter.info = SourceInfo("db.test", "3306", "classicmodels")  # a port as text: readers expect a number
    with pytest.raises(JobError, match=r"manifest/source/port"):
        glue_job.run_job(spark, adapter, log=lambda _m: None)
    assert adapter.published == [] and len(adapter.discarded) == 1
