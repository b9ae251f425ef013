"""No export runs user text as a formula (OWASP CSV injection): a title like
``=HYPERLINK(...)`` is written to CSV with a leading apostrophe and to XLSX as a text cell, numbers
stay numbers, and the project file still survives export -> import unchanged. The API tests run
on SQLite and PostgreSQL (the ``client`` fixture is parametrised over both)."""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from types import SimpleNamespace

from hypothesis import given, settings
from hypothesis import strategies as st

from app.core import spreadsheets
from tests.app.jury_setup import demo_call

API = "/api/v1"
EVIL = ['=HYPERLINK("http://evil.example","x")', "-2+3", "@SUM(A1)", "+1", "\tx", "\rx"]
TITLES = EVIL[:3]


def _csv_rows(text: str) -> list[list[str]]:
    lines = [line for line in text.lstrip("\ufeff").splitlines(keepends=True)
             if not line.startswith("# licence")]
    return list(csv.reader(io.StringIO("".join(lines), newline="")))


def _cells(text: str) -> set[str]:
    return {cell for row in _csv_rows(text) for cell in row}


def _xlsx(data: bytes) -> list[list]:
    """Every cell of the first sheet (openpyxl Cell objects)."""
    from openpyxl import load_workbook

    return [list(row) for row in load_workbook(io.BytesIO(data)).active.iter_rows()]


def _assert_csv_escaped(text: str, titles=TITLES) -> None:
    cells = _cells(text)
    for title in titles:
        assert "'" + title in cells and title not in cells
    assert not any(c[:1] in spreadsheets.FORMULA_STARTS for c in cells if c and not _number(c))


def _number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _assert_xlsx_text(data: bytes, titles=TITLES) -> None:
    cells = [c for row in _xlsx(data) for c in row]
    assert all(c.data_type != "f" for c in cells)
    values = {c.value for c in cells}
    for title in titles:
        assert title in values  # the text as it is, stored as text
        cell = next(c for c in cells if c.value == title)
        assert cell.data_type == "s"
        assert bool(cell.quotePrefix) == title.startswith(spreadsheets.FORMULA_STARTS)


# --- the helper --------------------------------------------------------------------------

def test_risky_text_gets_an_apostrophe_and_numbers_stay_numbers():
    for text in EVIL:
        assert spreadsheets.escape(text) == "'" + text
        assert spreadsheets.unescape("'" + text) == text
    for value in (-2, -2.5, Decimal("-1.50"), 0, None, True, "Slim beheer", "a=b", "'quoted"):
        assert spreadsheets.escape(value) == value
    assert spreadsheets.escape("'=x") == "''=x" and spreadsheets.unescape("''=x") == "'=x"
    out = io.StringIO()
    spreadsheets.csv_writer(out, lineterminator="\n").writerow([-2, Decimal("-1.5"), "-2", "=1+1"])
    assert out.getvalue() == "-2,-1.5,'-2,'=1+1\n"


@settings(deadline=None)
@given(st.text(alphabet=st.sampled_from("'=+-@\t\rab1 "), max_size=8))
def test_unescape_undoes_escape_exactly(text):
    escaped = spreadsheets.escape(text)
    assert spreadsheets.unescape(escaped) == text
    assert escaped[:1] not in spreadsheets.FORMULA_STARTS or escaped == ""


def test_xlsx_keeps_numbers_as_numbers_and_text_as_text():
    from openpyxl import Workbook

    book = Workbook()
    spreadsheets.xlsx_append(book.active, [-2, -2.5, Decimal("-1.5"), "=1+1", "-2", "plain"])
    out = io.BytesIO()
    book.save(out)
    row = _xlsx(out.getvalue())[0]
    assert [c.data_type for c in row] == ["n", "n", "n", "s", "s", "s"]
    assert [c.value for c in row] == [-2, -2.5, -1.5, "=1+1", "-2", "plain"]


# --- the project file: escaped, and still a lossless round trip -----------------------------

def _retitle_projects(app, keys_titles: dict[str, str]) -> None:
    from sqlalchemy import select

    from app.core.extensions import db
    from app.models import Project

    with app.app_context():
        for key, title in keys_titles.items():
            db.session.scalars(select(Project).where(Project.key == key)).one().title = title
        db.session.commit()
        db.session.remove()


def _import(client, headers, data: bytes, dry_run: bool, name: str):
    return client.post(f"{API}/projects/import?dry_run={'true' if dry_run else 'false'}",
                       headers=headers, data={"file": (io.BytesIO(data), name)},
                       content_type="multipart/form-data")


def test_project_export_escapes_titles_and_the_round_trip_changes_nothing(
        app, client, admin_headers):
    from app.registry import transfer

    text = client.get(f"{API}/projects/export.csv", headers=admin_headers).get_data(as_text=True)
    keys = [r["key"] for r in csv.DictReader(io.StringIO(text, newline=""))][:4]
    titles = [*TITLES, "'=already quoted"]
    _retitle_projects(app, dict(zip(keys, titles, strict=True)))
    text = client.get(f"{API}/projects/export.csv", headers=admin_headers).get_data(as_text=True)
    _assert_csv_escaped(text)
    assert "''=already quoted" in _cells(text)
    for data, name in ((text.encode(), "projects.csv"), (text.encode("utf-8-sig"), "p.csv")):
        dry = _import(client, admin_headers, data, dry_run=True, name=name)
        assert dry.status_code == 200, dry.json
        assert dry.json["summary"]["update"] == 0 and dry.json["summary"]["error"] == 0
    done = _import(client, admin_headers, text.encode(), dry_run=False, name="projects.csv")
    assert done.status_code == 200 and done.json["summary"]["update"] == 0
    again = client.get(f"{API}/projects/export.csv", headers=admin_headers).get_data(as_text=True)
    assert again == text
    with app.app_context():
        xlsx = transfer.export_xlsx()
    _assert_xlsx_text(xlsx, titles)
    dry = _import(client, admin_headers, xlsx, dry_run=True, name="projects.xlsx")
    assert dry.status_code == 200, dry.json
    assert dry.json["summary"]["update"] == 0 and dry.json["summary"]["error"] == 0


# --- the jury's results ---------------------------------------------------------------------

def test_results_csv_and_xlsx_do_not_run_application_titles(app, client, admin_headers):
    from app.core.extensions import db
    from app.models import Application

    j = demo_call(app)
    with app.app_context():
        for application_id, title in zip(j.applications, TITLES, strict=False):
            db.session.get(Application, application_id).title = title
        db.session.commit()
        db.session.remove()
    resp = client.get(f"{API}/calls/{j.call_id}/results.csv", headers=admin_headers)
    assert resp.status_code == 200, resp.data[:300]
    _assert_csv_escaped(resp.get_data(as_text=True))
    resp = client.get(f"{API}/calls/{j.call_id}/results.xlsx", headers=admin_headers)
    assert resp.status_code == 200
    _assert_xlsx_text(resp.data)


# --- the cluster plan -------------------------------------------------------------------------

def test_cluster_plan_csv_escapes_municipality_names():
    from app.planning.reports import export_csv

    towns = [SimpleNamespace(name_nl=name, province="Vlaams-Brabant", region="Vlaanderen",
                             population=-1 if n == 0 else 1000)
             for n, name in enumerate(TITLES)]
    graph = SimpleNamespace(index={"24062": 0, "24001": 1, "24009": 2}, municipalities=towns)
    result = {"clusters": [{"domain": "mobility", "lighthouse": {"refnis": "24062"},
                            "followers": [{"refnis": "24001", "distance_km": 3.5},
                                          {"refnis": "24009", "distance_km": 4.25}]}]}
    text = export_csv(graph, 7, result)
    _assert_csv_escaped(text)
    rows = list(csv.DictReader(io.StringIO(text, newline="")))
    assert rows[0]["population"] == "-1"  # a number stays a number
    assert rows[1]["lighthouse_name"] == "'" + TITLES[0]


# --- follow-up: ex-post report and open data --------------------------------------------------

def test_ex_post_and_open_data_exports_do_not_run_project_titles(app, client, admin_headers):
    from app.core.extensions import db
    from app.models import Project
    from tests.app.test_followup import published_call

    call_id, funded = published_call(app, client, admin_headers)
    projects = client.get(f"{API}/projects?call={call_id}&per_page=100").json["items"]
    with app.app_context():
        for p, title in zip(projects, TITLES, strict=False):
            db.session.get(Project, p["id"]).title = title
        db.session.commit()
        db.session.remove()
    titles = TITLES[:len(projects)]
    csv_resp = client.get(f"{API}/calls/{call_id}/ex-post?format=csv")
    assert csv_resp.status_code == 200
    _assert_csv_escaped(csv_resp.get_data(as_text=True), titles)
    xlsx = client.get(f"{API}/calls/{call_id}/ex-post?format=xlsx")
    assert xlsx.status_code == 200
    _assert_xlsx_text(xlsx.data, titles)
    table = _xlsx(xlsx.data)
    numbers = [c for row in table[1:] for c in row if isinstance(c.value, int | float)]
    assert numbers and all(c.data_type == "n" for c in numbers)
    data = client.get(f"{API}/open-data/projects?format=csv")
    assert data.status_code == 200
    _assert_csv_escaped(data.get_data(as_text=True), titles)


def test_cluster_plan_csv_through_the_api_escapes_a_municipality_name(app, client, admin_headers):
    from sqlalchemy import select

    from app.core.extensions import db
    from app.models import Municipality
    from tests.app.test_api_plans import LEUVEN_AREA, SMALL_PLAN, solved

    plan = solved(client, admin_headers, **SMALL_PLAN)
    with app.app_context():
        towns = db.session.scalars(select(Municipality).where(
            Municipality.refnis.in_(LEUVEN_AREA[:3])).order_by(Municipality.refnis)).all()
        for town, name in zip(towns, TITLES, strict=True):
            town.name_nl = name
        towns[0].population += 1  # a rename alone does not change the registry version
        db.session.commit()
        db.session.remove()
    resp = client.get(f"{API}/cluster-plans/{plan['id']}.csv")
    assert resp.status_code == 200
    _assert_csv_escaped(resp.get_data(as_text=True))
