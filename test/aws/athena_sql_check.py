"""Checks SQL against Athena's engine-3 (Trino) grammar with sqlglot: reads a JSON list of {"id", "sql"} on stdin,
prints a JSON list of {"id", "ok", "problems"}. A statement passes when sqlglot parses it with read='athena' as one
statement and it uses none of the DuckDB-only forms sqlglot would otherwise accept quietly (it is a lenient parser:
`x::int`, `[1, 2]`, `{'a': 1}`, `* EXCLUDE`, a leading FROM and DuckDB functions all parse in every dialect).
Exit 0 when every statement passes, 1 otherwise. `--version` prints sqlglot's version.
"""

import json
import sys

import sqlglot
from sqlglot import exp
from sqlglot.errors import ErrorLevel
from sqlglot.tokens import TokenType

DIALECT = sqlglot.Dialect.get_or_raise("athena")
# A bracket opens an array literal only after ARRAY; after a name, a call or another subscript it subscripts.
SUBSCRIPTABLE = {TokenType.ARRAY, TokenType.VAR, TokenType.IDENTIFIER, TokenType.R_PAREN, TokenType.R_BRACKET}


def problems_of(sql):
    try:
        statements = [s for s in sqlglot.parse(sql, read="athena", error_level=ErrorLevel.RAISE) if s is not None]
    except sqlglot.errors.SqlglotError as error:
        return [f"does not parse as Athena SQL: {str(error).splitlines()[0]}"]
    problems = []
    if len(statements) != 1:
        problems.append(f"{len(statements)} statements (Athena runs one per execution)")
    tokens = DIALECT.tokenize(sql)
    for i, token in enumerate(tokens):
        if token.token_type == TokenType.DCOLON:
            problems.append(f"'::' cast at line {token.line} (DuckDB/Postgres; Athena needs CAST(x AS type))")
        elif token.token_type == TokenType.L_BRACE:
            problems.append(f"'{{' struct literal at line {token.line} (DuckDB; Athena has ROW(...))")
        elif token.token_type == TokenType.L_BRACKET and (i == 0 or tokens[i - 1].token_type not in SUBSCRIPTABLE):
            problems.append(f"'[' list literal at line {token.line} (DuckDB; Athena needs ARRAY[...])")
    first = next((t for t in tokens if t.token_type != TokenType.L_PAREN), None)
    if first is not None and first.token_type == TokenType.FROM:
        problems.append("statement starts with FROM (DuckDB's FROM-first syntax)")
    for statement in statements:
        for star in statement.find_all(exp.Star):
            if any(star.args.get(key) for key in ("except", "except_", "replace", "rename", "ilike")):
                problems.append("SELECT * EXCLUDE/REPLACE (DuckDB)")
        for table in statement.find_all(exp.Table):
            if isinstance(table.this, exp.Func) and not isinstance(table.this, exp.Unnest):
                problems.append(f"table function {table.this.sql('athena')} (Athena reads tables from the catalog)")
        for call in statement.find_all(exp.Anonymous):
            problems.append(f"unknown function {call.name}() (not an Athena/Trino function sqlglot knows)")
    return problems


def main():
    if sys.argv[1:] == ["--version"]:
        print(sqlglot.__version__)
        return 0
    results = []
    for item in json.load(sys.stdin):
        problems = problems_of(item["sql"])
        results.append({"id": item["id"], "ok": not problems, "problems": problems})
    json.dump(results, sys.stdout)
    return 0 if all(r["ok"] for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
