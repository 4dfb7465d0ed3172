"""The lake columns' source columns by sqlglot's lineage, for bench/lineage-parser.ts (the alternative parser).

Reads a JSON request on stdin: {"models": [{"table", "published", "text"}], "sources": {table: [columns]}}; prints
{"importMs", "lineageMs", "sources": {"table.column": ["table.column", ...]}} with names lower-cased.
"""

import json
import sys
import time


def main() -> None:
    started = time.perf_counter()
    from sqlglot import exp
    from sqlglot.lineage import lineage
    from sqlglot.optimizer.qualify import qualify

    imported = time.perf_counter()
    request = json.load(sys.stdin)
    schema = {t: {c: "varchar" for c in cols} for t, cols in request["sources"].items()}
    earlier: dict[str, str] = {}
    out: dict[str, list[str]] = {}
    for model in request["models"]:
        # Stars expand against the sources and the earlier models, as sqlglot itself derived them.
        qualified = qualify(
            exp.maybe_parse(model["text"], dialect="duckdb"), schema=schema, dialect="duckdb", identify=False
        )
        columns = [s.alias_or_name for s in qualified.selects]
        schema[model["table"]] = {c: "varchar" for c in columns}
        for column in columns:
            node = lineage(
                column,
                model["text"],
                {t: c for t, c in schema.items() if t not in earlier},
                sources=dict(earlier),
                dialect="duckdb",
            )
            leaves = sorted(
                {f"{n.source.name}.{n.name.split('.')[-1]}".lower() for n in node.walk() if not n.downstream}
            )
            if model["published"]:
                out[f"{model['table']}.{column}".lower()] = leaves
        earlier[model["table"]] = model["text"]
    done = time.perf_counter()
    json.dump(
        {"importMs": (imported - started) * 1000, "lineageMs": (done - imported) * 1000, "sources": out}, sys.stdout
    )


if __name__ == "__main__":
    main()
