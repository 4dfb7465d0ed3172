"""The run's reconciliation with the source: the checks of src/core/lake/reconcile.ts, with the same names, messages
and semantics, over the tables the run wrote. Keys, orphans and duplicates are declared data tests (job_data_tests.py).

Shipped beside glue_job.py: terraform/glue.tf names this module in the job's --extra-py-files.
"""
from __future__ import annotations

import re
from typing import Any, Callable, Dict, List, Optional


def to_cents(text: str) -> Optional[int]:
    m = re.match(r"^(-?)(\d+)(?:\.(\d{1,2}))?$", text.strip())
    if not m:
        return None
    cents = int(m.group(2)) * 100 + int((m.group(3) or "").ljust(2, "0"))
    return -cents if m.group(1) == "-" else cents


def format_cents(cents: int) -> str:
    sign = "-" if cents < 0 else ""
    return f"{sign}{abs(cents) // 100}.{abs(cents) % 100:02d}"


def make_check(name: str, expected: str, actual: str, ok: bool, what: str) -> Dict[str, Any]:
    message = f"{what}: {actual}" if ok else f"{what}: expected {expected}, got {actual}"
    return {"name": name, "ok": ok, "expected": expected, "actual": actual, "message": message}


def reconcile(scalar: Callable[[str], str], table: Callable[[str], str],
              source: Dict[str, Any]) -> List[Dict[str, Any]]:
    """The source checks over what was written; `scalar` runs Spark SQL, `table(name)` names the written table's view.
    Keys, orphans and duplicates are declared data tests (glue/sql/schema.yml)."""
    checks = []
    fact = table("fact_orders")
    expected_rows = str(source["counts"].get("orderdetails", 0))
    fact_rows = scalar(f"select count(*) from {fact}")
    checks.append(make_check("fact_rows_match_source", expected_rows, fact_rows, fact_rows == expected_rows,
                             "fact_orders rows = source orderdetails rows"))

    lake_total = scalar(f"select cast(coalesce(sum(orderAmount), 0) as string) from {fact}")
    lake_cents, source_cents = to_cents(lake_total), to_cents(source["orderAmountTotal"])
    checks.append(make_check(
        "order_amount_matches_source",
        source["orderAmountTotal"] if source_cents is None else format_cents(source_cents),
        lake_total if lake_cents is None else format_cents(lake_cents),
        lake_cents is not None and lake_cents == source_cents,
        "SUM(orderAmount) = source SUM(quantityOrdered × priceEach)"))

    return checks
