"""The job records the dashboard's answers in its manifest (job_dashboard.py): the dashboard's own questions
(glue/dashboard_questions.json) asked on Spark of the tables the run wrote, checked here against sums worked out in
Python from the fixture's source rows."""
import collections
import decimal

import pytest
from fakes import SOURCE_ROWS, MemoryAdapter
from test_glue_job import model_files

import glue_job
import job_dashboard
from job_common import JobError

CENT = decimal.Decimal("0.01")


def expected_answers():
    """What each recorded question must answer, from the source rows (the star schema's facts are its order lines)."""
    orders = {o[0]: o for o in SOURCE_ROWS["orders"]}
    customers = {c[0]: c for c in SOURCE_ROWS["customers"]}
    products = {p[0]: p for p in SOURCE_ROWS["products"]}
    lines = [(orders[n], customers[orders[n][5]], products[code], qty, qty * price)
             for n, code, qty, price, _ in SOURCE_ROWS["orderdetails"]]
    total = sum(amount for *_, amount in lines)
    by_country, by_line, by_product = (collections.defaultdict(decimal.Decimal) for _ in range(3))
    quantity_by_line, quantity_by_product = collections.Counter(), collections.Counter()
    groups_by_date = collections.defaultdict(set)
    for order, customer, product, qty, amount in lines:
        by_country[customer[10]] += amount
        by_line[product[2]] += amount
        by_product[product[1]] += amount
        quantity_by_line[product[2]] += qty
        quantity_by_product[product[1]] += qty
        groups_by_date[order[1].isoformat()].add((product[2], product[1], customer[10]))
    by_sales = lambda sums: sorted(sums, key=lambda k: (-sums[k], k))  # noqa: E731
    return {
        "kpis": [[float(total), len(orders), len(customers), float((total / len(orders)).quantize(CENT)), len(lines)]],
        "salesByCountryTop10": [[c, float(by_country[c])] for c in by_sales(by_country)],
        "salesByProductLine": [[pl, float(by_line[pl]), quantity_by_line[pl]] for pl in by_sales(by_line)],
        "salesDetailDates": [[d, len(g)] for d, g in sorted(groups_by_date.items())],
        "topProducts": [[name, next(p[2] for p in SOURCE_ROWS["products"] if p[1] == name), float(by_product[name]),
                         quantity_by_product[name]] for name in by_sales(by_product)],
    }


def to_cents(rows):
    """Rows with fractions rounded to cents (an average of money is a decimal of Spark's own scale)."""
    return [[round(v, 2) if isinstance(v, float) else v for v in row] for row in rows]


@pytest.fixture(scope="module")
def recorded_run(spark, tmp_path_factory):
    """One run asked to record (at this size auto would not): its manifest and log lines. Its tables stay registered
    under the model's names for the tests after it."""
    adapter = MemoryAdapter(spark, str(tmp_path_factory.mktemp("lake")), model_files())
    lines = []
    return glue_job.run_job(spark, adapter, log=lines.append, record_dashboard="always"), lines


def test_a_run_asked_to_records_the_dashboards_answers_of_the_tables_it_wrote(recorded_run):
    manifest, lines = recorded_run
    dashboard = manifest["dashboard"]
    want = expected_answers()
    answers = dashboard["answers"]
    assert sorted(answers) == ["kpis", "monthlySales", "salesByCountryTop10", "salesByProductLine", "salesDetailDates"]
    for qid in ("kpis", "salesByCountryTop10", "salesByProductLine", "salesDetailDates"):
        assert to_cents(answers[qid]["rows"]) == want[qid], qid
    total = float(decimal.Decimal(manifest["source"]["orderAmountTotal"]))
    assert answers["monthlySales"]["rows"] == [["2003-01-01", total, 3]]
    # Named and typed as the editor's engines name them.
    kpis = answers["kpis"]["columns"]
    assert [c["name"] for c in kpis] == ["totalSales", "orders", "customers", "averageOrderValue", "orderLines"]
    assert [c["type"] for c in kpis][1:3] == ["BIGINT", "BIGINT"]
    assert kpis[0]["type"].startswith("DECIMAL(") and kpis[0]["type"].endswith(",2)")
    assert answers["monthlySales"]["columns"][0] == {"name": "month", "type": "DATE"}
    assert dashboard["filterOptions"] == {"countries": ["Australia", "France", "USA"],
                                          "productLines": ["Classic Cars", "Planes"],
                                          "firstOrderDate": "2003-01-06", "lastOrderDate": "2003-01-10"}
    top = dashboard["topProducts"]
    assert (top["startDate"], top["endDate"], top["n"]) == ("2003-01-06", "2003-01-10", 10)
    assert [c["name"] for c in top["columns"]] == ["productName", "productLine", "totalSales", "quantity"]
    assert to_cents(top["rows"]) == want["topProducts"]
    assert any(line.endswith("recorded the dashboard's answers") for line in lines)


def test_auto_records_from_the_questions_threshold_never_records_nothing():
    # A run at auto on the fixture's few facts records nothing: test_glue_job's run lists the manifest's keys.
    questions = job_dashboard.load_questions()
    assert questions is not None and questions["recordMinFactRows"] > 5
    assert job_dashboard.should_record("auto", questions["recordMinFactRows"], questions)
    assert not job_dashboard.should_record("auto", questions["recordMinFactRows"] - 1, questions)
    assert not job_dashboard.should_record("never", 10**9, questions)
    assert not job_dashboard.should_record("always", 10**9, None)


def test_a_question_spark_cannot_answer_records_nothing_and_says_why(spark, recorded_run, monkeypatch):
    broken = dict(job_dashboard.load_questions())
    broken["answers"] = {**broken["answers"], "kpis": "select sum(noSuchColumn) from fact_orders"}
    monkeypatch.setattr(job_dashboard, "load_questions", lambda: broken)
    lines = []
    assert job_dashboard.record_or_skip(spark, "always", 5, lines.append) is None
    assert len(lines) == 1 and "the dashboard's answers were not recorded" in lines[0] and "noSuchColumn" in lines[0]
    # The same tables answer the shipped questions: what failed was the question.
    monkeypatch.undo()
    assert job_dashboard.record_or_skip(spark, "always", 5, lines.append) is not None


def test_record_dashboard_is_an_optional_job_argument_checked_like_the_others():
    required = [a for name in glue_job.JOB_ARGUMENTS for a in (f"--{name}", "x")]
    assert "record_dashboard" not in glue_job.parse_job_arguments(required, rules={})
    assert glue_job.parse_job_arguments([*required, "--record_dashboard", "always"], rules={
        "record_dashboard": glue_job._ARGUMENT_RULES["record_dashboard"]})["record_dashboard"] == "always"
    with pytest.raises(JobError, match=r"--record_dashboard must be auto, always or never; got 'sometimes'"):
        glue_job.parse_job_arguments([*required, "--record_dashboard=sometimes"], rules={
            "record_dashboard": glue_job._ARGUMENT_RULES["record_dashboard"]})
