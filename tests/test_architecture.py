"""Rules of the code's shape that a reviewer would otherwise have to remember."""

import ast
from pathlib import Path

APP = Path(__file__).resolve().parents[1] / "app"


def route_modules() -> list[Path]:
    return sorted(p for p in APP.rglob("*.py") if p.name == "routes.py" or p.name.endswith("_routes.py"))


def row_loads(tree: ast.AST) -> list[str]:
    """``db.session`` and bare ``select(...)`` in a module: a view loading rows itself."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr == "session" and getattr(node.value, "id", None) == "db":
            found.append(f"line {node.lineno}: db.session")
        if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "select":
            found.append(f"line {node.lineno}: select(...)")
        if isinstance(node, ast.ImportFrom) and node.module in ("sqlalchemy", "app.extensions"):
            names = {alias.name for alias in node.names}
            if names & {"select", "db"}:
                found.append(f"line {node.lineno}: imports {', '.join(sorted(names & {'select', 'db'}))}")
    return found


def test_views_load_no_rows_themselves():
    """Every object a request names comes through a scoped loader in ``app.access`` or a query
    function that takes the user (STYLE §10); a view that queries is one that can forget the scope."""
    offenders = {str(path.relative_to(APP)): found for path in route_modules()
                 if (found := row_loads(ast.parse(path.read_text())))}
    assert offenders == {}


def test_the_walk_finds_a_view_that_loads_rows():
    source = "from app.extensions import db\n\ndef show(i):\n    return db.session.get(Household, i)\n"
    assert row_loads(ast.parse(source)) == ["line 1: imports db", "line 4: db.session"]
    assert row_loads(ast.parse("from sqlalchemy import select\nx = select(Area)\n")) == [
        "line 1: imports select", "line 2: select(...)"]
    assert route_modules(), "no route modules found: the walk looks in the wrong place"
