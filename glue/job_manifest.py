"""The run manifest's contract: glue/manifest.schema.json, checked before a run publishes."""
from __future__ import annotations

import json
import os
from typing import Any, Callable, Dict, List, Optional

from job_common import JobError, shipped_file

# The manifest's contract with the TypeScript side (src/core/run/manifest.ts holds the same schema in valibot), shipped
# with the job (terraform/glue.tf's --extra-files).
MANIFEST_SCHEMA_NAME = "manifest.schema.json"
MANIFEST_SCHEMA_FILE = os.path.join(os.path.dirname(os.path.abspath(__file__)), MANIFEST_SCHEMA_NAME)


def manifest_schema_file() -> str:
    return shipped_file(MANIFEST_SCHEMA_NAME, __file__)


_JSON_TYPES: Dict[str, Callable[[Any], bool]] = {
    "object": lambda v: isinstance(v, dict), "array": lambda v: isinstance(v, list),
    "string": lambda v: isinstance(v, str), "boolean": lambda v: isinstance(v, bool), "null": lambda v: v is None,
    "number": lambda v: isinstance(v, int | float) and not isinstance(v, bool),
    "integer": lambda v: (isinstance(v, int) and not isinstance(v, bool)) or (isinstance(v, float) and v.is_integer()),
}


def _schema_problems(value: Any, schema: Dict[str, Any], root: Dict[str, Any], where: str) -> List[str]:
    """The subset of JSON Schema manifest.schema.json uses, for a Python without the jsonschema package."""
    if "$ref" in schema:
        schema = root["$defs"][schema["$ref"].rsplit("/", 1)[-1]]
    types = schema.get("type")
    if types is not None and not any(_JSON_TYPES[t](value) for t in ([types] if isinstance(types, str) else types)):
        return [f"{where}: {value!r} is not of type {types}"]
    if "const" in schema and value != schema["const"]:
        return [f"{where}: {value!r} is not {schema['const']!r}"]
    if "enum" in schema and value not in schema["enum"]:
        return [f"{where}: {value!r} is not one of {schema['enum']}"]
    if "minimum" in schema and value < schema["minimum"]:
        return [f"{where}: {value!r} is less than {schema['minimum']}"]
    problems = []
    if isinstance(value, dict):
        problems += [f"{where}: {key!r} is a required property"
                     for key in schema.get("required", []) if key not in value]
        for key, item in value.items():
            sub = schema.get("properties", {}).get(key, schema.get("additionalProperties", {}))
            problems += _schema_problems(item, sub, root, f"{where}/{key}")
    if isinstance(value, list) and "items" in schema:
        for i, item in enumerate(value):
            problems += _schema_problems(item, schema["items"], root, f"{where}/{i}")
    return problems


def manifest_problems(manifest: Dict[str, Any], schema: Dict[str, Any]) -> List[str]:
    """What makes the manifest break its schema (none when it keeps it), by jsonschema when installed."""
    try:
        import jsonschema
    except ImportError:
        return _schema_problems(manifest, schema, schema, "manifest")
    return [f"manifest/{'/'.join(str(p) for p in e.absolute_path)}: {e.message}".replace("manifest/:", "manifest:")
            for e in jsonschema.Draft202012Validator(schema).iter_errors(manifest)]


def refuse_invalid_manifest(manifest: Dict[str, Any], log: Callable[[str], None],
                            schema_file: Optional[str] = None) -> None:
    """Raises JobError, so nothing is published, when the manifest breaks the schema readers rely on."""
    schema_file = schema_file or manifest_schema_file()
    try:
        with open(schema_file, encoding="utf-8") as f:
            schema = json.load(f)
    except FileNotFoundError:
        # Glue fetches the script alone unless --extra-files ships the schema too: publish, and say it went unchecked.
        log(f"run {manifest.get('runId')}: warning: {os.path.basename(schema_file)} is neither beside the job nor in "
            "its working directory (--extra-files); the manifest was not checked against it")
        return
    problems = manifest_problems(manifest, schema)
    if problems:
        raise JobError("The run's manifest breaks manifest.schema.json, so nothing was published: "
                       + "; ".join(problems[:5]) + (f" ({len(problems) - 5} more)" if len(problems) > 5 else ""))
    log(f"run {manifest.get('runId')}: the manifest keeps {os.path.basename(schema_file)} (checked against "
        f"{schema_file})")
