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


# Layers, lowest first: a package imports its own layer and those below it, never above.
LAYERS = (
    ("core", "extensions"),
    ("audit",),  # who did what: every domain records into it
    ("areas",),
    ("accounts",),
    ("catalog",),
    ("households",),
    ("teams",),
    ("helplogs", "tasks"),
    ("reviews", "imports", "training"),
    ("coverage", "home", "trail", "ops"),  # read models of the pages that combine domains
    ("shell", "demo", "models", "__init__"),  # the application shell, the demo data, Alembic's model list
)
RANK = {package: rank for rank, packages in enumerate(LAYERS) for package in packages}


def package_of(module: str) -> str:
    """'app.helplogs.services' -> 'helplogs'; 'app.access' -> 'access'; 'app' -> '__init__'."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def imported_modules(tree: ast.AST, module: str):
    """(line, module) of every ``app`` import that runs: imports under ``if TYPE_CHECKING:``
    only name types for annotations and are no dependency at run time."""
    typing_only = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and getattr(node.test, "id", None) == "TYPE_CHECKING":
            typing_only.update(id(child) for child in ast.walk(node))
    for node in ast.walk(tree):
        if id(node) in typing_only:
            continue
        if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == "app":
            names = [f"app.{alias.name}" for alias in node.names] if node.module == "app" else [node.module]
            yield from ((node.lineno, name) for name in names)
        elif isinstance(node, ast.Import):
            yield from ((node.lineno, a.name) for a in node.names if a.name.startswith("app."))


def forbidden(module: str, source: str) -> list[str]:
    """The imports of ``module`` that break the layering, with the allowances below."""
    importer = package_of(module)
    found = []
    for line, target in imported_modules(ast.parse(source), module):
        imported = package_of(target)
        if imported in (importer, "access"):
            continue  # one's own package; and every layer asks the access module
        if importer == "access":
            # The one place that says who may do what knows every model (DESIGN §5).
            if target.endswith(".models") or RANK[imported] == 0:
                continue
        elif module.endswith("routes") and imported == "coverage":
            continue  # a page that combines domains reads its model from coverage
        elif RANK[imported] <= RANK[importer]:
            continue
        found.append(f"{module}:{line} imports {target}")
    return found


def app_modules():
    for path in sorted(APP.rglob("*.py")):
        parts = path.relative_to(APP.parent).with_suffix("").parts
        yield ".".join(parts[:-1] if parts[-1] == "__init__" else parts), path


def test_every_package_has_a_layer():
    packages = {package_of(module) for module, _ in app_modules()} - {"access"}
    assert packages - set(RANK) == set(), "add the new package to LAYERS"


def test_no_package_imports_a_higher_one():
    offenders = [found for module, path in app_modules() for found in forbidden(module, path.read_text())]
    assert offenders == []


def test_core_imports_no_domain():
    """app.core serves every domain and knows none of them."""
    offenders = [f"{module}:{line} imports {target}" for module, path in app_modules() if package_of(module) == "core"
                 for line, target in imported_modules(ast.parse(path.read_text()), module)
                 if package_of(target) not in ("core", "extensions")]
    assert offenders == []


def test_the_layering_check_fails_on_an_upward_import():
    assert forbidden("app.areas.services", "from app.helplogs.models import HelpLog\n") == [
        "app.areas.services:1 imports app.helplogs.models"]
    assert forbidden("app.core.rendering", "import app.accounts.models\n") == [
        "app.core.rendering:1 imports app.accounts.models"]
    assert forbidden("app.access", "from app.helplogs.services import submit_log\n") == [
        "app.access:1 imports app.helplogs.services"]
    # What is allowed: downward, the access module, typing-only, a route reading coverage.
    assert forbidden("app.helplogs.services", "from app.areas.models import Area\nfrom app.access import can\n") == []
    typing_only = "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from app.accounts.models import User\n"
    assert forbidden("app.areas.services", typing_only) == []
    assert forbidden("app.teams.routes", "from app.coverage.teams import team_stats_page\n") == []
    assert forbidden("app.teams.services", "from app.coverage.teams import team_stats_page\n") == [
        "app.teams.services:1 imports app.coverage.teams"]


def test_each_route_module_is_named_for_its_blueprint(app):
    """``<package>/routes.py`` holds the blueprint named for the package, ``<name>_routes.py``
    the blueprint ``<name>``: a view is found from its endpoint without searching."""
    import importlib

    for module, path in app_modules():
        if not path.name.endswith("routes.py"):
            continue
        blueprint = importlib.import_module(module).bp.name
        expected = package_of(module) if path.name == "routes.py" else path.name.removesuffix("_routes.py")
        assert blueprint == expected, f"{module} holds the blueprint {blueprint!r}"


def test_views_are_named_for_their_endpoints(app):
    """No ``endpoint=`` renames: a view called ``add_member`` is the endpoint ``teams.add_member``
    (services are imported as modules, so their names never clash with a view's)."""
    for endpoint, view in app.view_functions.items():
        if endpoint != "static":
            assert endpoint.rsplit(".", 1)[-1] == view.__name__, endpoint
