"""The job checks its manifest against glue/manifest.schema.json before it publishes (run_job): a manifest that breaks
the schema the TypeScript readers rely on is refused and nothing is published."""
import importlib.util
import json
import os
import shutil
import sys

import pytest
from fakes import MemoryAdapter
from test_glue_job import model_files

import glue_job
import job_manifest
from job_common import JobError, SourceInfo

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
            job_manifest.refuse_invalid_manifest(fixture(name), log=lambda _m: None)


def test_a_broken_manifest_is_refused_naming_what_is_wrong(monkeypatch):
    manifest = fixture("glue-run.json")
    manifest["source"]["port"] = "3306"
    del manifest["ok"]
    for validator in validators(monkeypatch):
        with pytest.raises(JobError) as err:
            job_manifest.refuse_invalid_manifest(manifest, log=lambda _m: None)
        assert "breaks manifest.schema.json, so nothing was published" in str(err.value), validator
        assert "manifest/source/port" in str(err.value) and "'ok'" in str(err.value), validator


def test_without_the_schema_beside_it_the_job_publishes_and_says_it_went_unchecked(tmp_path):
    lines = []
    job_manifest.refuse_invalid_manifest({"runId": "r1"}, log=lines.append, schema_file=str(tmp_path / "absent.json"))
    assert lines == ["run r1: warning: absent.json is neither beside the job nor in its working directory "
                     "(--extra-files); the manifest was not checked against it"]


def script_alone(tmp_path, monkeypatch):
    """The job's manifest check as Glue runs it: job_manifest.py fetched (--extra-py-files) into a folder of its own,
    without the schema beside it, and imported from there."""
    folder = tmp_path / "script"
    folder.mkdir()
    shutil.copy(job_manifest.__file__, folder / "job_manifest.py")
    spec = importlib.util.spec_from_file_location("job_manifest_alone", folder / "job_manifest.py")
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, "job_manifest_alone", module)
    spec.loader.exec_module(module)
    return module


def test_the_job_finds_the_schema_glue_copied_into_its_working_directory(tmp_path, monkeypatch):
    # Glue copies the job's --extra-files (terraform/glue.tf names manifest.schema.json) into the working directory.
    job = script_alone(tmp_path, monkeypatch)
    work = tmp_path / "work"
    work.mkdir()
    shutil.copy(job_manifest.MANIFEST_SCHEMA_FILE, work / "manifest.schema.json")
    monkeypatch.chdir(work)
    lines = []
    job.refuse_invalid_manifest(fixture("glue-run.json"), log=lines.append)
    run_id = fixture("glue-run.json")["runId"]
    assert lines == [f"run {run_id}: the manifest keeps manifest.schema.json (checked against "
                     f"{work / 'manifest.schema.json'})"]
    broken = fixture("glue-run.json")
    broken["source"]["port"] = "3306"
    with pytest.raises(job.JobError, match=r"manifest/source/port"):
        job.refuse_invalid_manifest(broken, log=lines.append)


def test_a_script_alone_without_extra_files_publishes_unchecked(tmp_path, monkeypatch):
    job = script_alone(tmp_path, monkeypatch)
    monkeypatch.chdir(tmp_path)
    lines = []
    job.refuse_invalid_manifest({"runId": "r2"}, log=lines.append)
    assert lines == ["run r2: warning: manifest.schema.json is neither beside the job nor in its working directory "
                     "(--extra-files); the manifest was not checked against it"]


def test_a_run_whose_manifest_breaks_the_schema_publishes_nothing(spark, tmp_path):
    adapter = MemoryAdapter(spark, str(tmp_path), model_files())
    adapter.info = SourceInfo("db.test", "3306", "classicmodels")  # a port as text: readers expect a number
    with pytest.raises(JobError, match=r"manifest/source/port"):
        glue_job.run_job(spark, adapter, log=lambda _m: None)
    assert adapter.published == [] and len(adapter.discarded) == 1
