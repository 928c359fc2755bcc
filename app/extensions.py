"""Every Flask extension object; modules import them from here, never from ``app``."""

from flask_compress import Compress
from flask_htmx import HTMX
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect

from app.core.db import Base
from app.core.i18n import AppBabel
from app.core.throttle import FailureThrottle

# Objects stay loaded after commit: a request renders what it just saved without reloading it.
db = SQLAlchemy(model_class=Base, session_options={"expire_on_commit": False})
migrate = Migrate(render_as_batch=True, compare_type=True)
login_manager = LoginManager()
csrf = CSRFProtect()
babel = AppBabel()
htmx = HTMX()
compress = Compress()
limiter = Limiter(key_func=get_remote_address, default_limits=[])
# Wrong passwords per (address, account): see accounts.signin.
login_throttle = FailureThrottle("login_throttle")
