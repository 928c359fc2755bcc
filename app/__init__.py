"""Gõ Cửa: the app factory, read as a table of contents."""

import os

from flask import Flask

from config import CONFIGS


def create_app(config_name: str | None = None, **overrides) -> Flask:
    app = Flask(__name__, static_folder="../static", template_folder="../templates",
                instance_relative_config=True)
    config = CONFIGS[config_name or os.environ.get("GOCUA_CONFIG", "development")]
    app.config.from_object(config)
    app.config.update(overrides)
    config.init_app(app)

    trust_proxies(app)
    register_extensions(app)
    register_request_hooks(app)
    register_blueprints(app)
    register_errorhandlers(app)
    register_template_helpers(app)
    register_read_models()
    register_import_kinds()
    check_access_table(app)
    return app


def trust_proxies(app: Flask) -> None:
    """Behind TRUSTED_PROXY_COUNT reverse proxies, take the client's address and scheme from
    the headers they add; with none, those headers are the client's own and are ignored."""
    count = app.config["TRUSTED_PROXY_COUNT"]
    if count:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count)


def register_extensions(app: Flask) -> None:
    from app.core.errors import unauthorized
    from app.core.i18n import select_locale
    from app.extensions import babel, compress, csrf, db, htmx, limiter, login_manager, login_throttle, migrate

    db.init_app(app)
    migrate.init_app(app, db, directory=os.path.join(app.root_path, "..", "migrations"))
    csrf.init_app(app)
    compress.init_app(app)
    babel.init_app(app, locale_selector=select_locale)
    htmx.init_app(app)
    limiter.init_app(app)
    login_throttle.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.unauthorized_handler(unauthorized)
    import app.accounts.login  # noqa: F401  registers the user loader
    import app.models  # noqa: F401  every model, for Alembic and relationships


def register_request_hooks(app: Flask) -> None:
    from app.access import enforce_access
    from app.accounts.login import require_password_change
    from app.core import i18n, logging, metrics, security, wire
    from app.core.db import end_read_transaction
    from app.core.forms import refuse_control_characters, refuse_undecodable_form

    logging.register(app)  # first: its timer starts before every other hook
    app.after_request(end_read_transaction)  # after every other hook but logging's
    metrics.register(app)
    security.register(app)
    wire.register(app)
    i18n.register(app)
    app.before_request(refuse_undecodable_form)
    app.before_request(refuse_control_characters)
    app.before_request(enforce_access)
    app.before_request(require_password_change)


def register_blueprints(app: Flask) -> None:
    from app.core.forms import IdConverter

    app.url_map.converters["int"] = IdConverter
    from app.accounts.auth_routes import bp as auth
    from app.accounts.cli import bp as accounts_cli
    from app.accounts.profile_routes import bp as profile
    from app.accounts.routes import bp as accounts
    from app.areas.routes import bp as areas
    from app.catalog.routes import bp as catalog
    from app.core.routes import bp as core
    from app.coverage.cli import bp as coverage_cli
    from app.coverage.exports_routes import bp as exports
    from app.coverage.routes import bp as coverage
    from app.coverage.targets_routes import bp as targets
    from app.demo.cli import bp as demo_cli
    from app.helplogs.routes import bp as helplogs
    from app.home.routes import bp as home
    from app.households.routes import bp as households
    from app.imports.routes import bp as imports
    from app.ops.cli import bp as ops_cli
    from app.ops.routes import bp as ops
    from app.reviews.routes import bp as reviews
    from app.tasks.routes import bp as tasks
    from app.teams.routes import bp as teams
    from app.trail.routes import bp as trail
    from app.training.bank_routes import bp as bank
    from app.training.routes import bp as training
    from app.training.take_routes import bp as take

    for blueprint in (core, auth, home, areas, households, helplogs, reviews, tasks, imports, accounts, profile, teams,
                      catalog, coverage, targets, exports, trail, ops, training, bank, take, accounts_cli, demo_cli,
                      coverage_cli, ops_cli):
        app.register_blueprint(blueprint)


def register_errorhandlers(app: Flask) -> None:
    from app.core import errors

    errors.register(app)


def register_template_helpers(app: Flask) -> None:
    from app import shell
    from app.core import templating

    templating.register(app)
    shell.register(app)


def register_read_models() -> None:
    """The coverage summaries follow every write that changes them (see app.core.changes)."""
    from app.core import changes
    from app.coverage.summaries import SummaryWatcher

    changes.watch("coverage", SummaryWatcher())


def register_import_kinds() -> None:
    """Targets are imported from CSV like villages and households; the kind lives with coverage,
    which the imports package may not import."""
    from app.coverage import target_import
    from app.imports.services import register_kind

    register_kind(target_import)


def check_access_table(app: Flask) -> None:
    from app.access import missing_endpoints

    missing = missing_endpoints(app)
    if missing:
        raise RuntimeError(f"endpoints missing from app.access.ACCESS: {', '.join(missing)}")
