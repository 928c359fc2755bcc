from flask_babel import get_locale
from sqlalchemy import Boolean, String
from sqlalchemy.orm import Mapped, mapped_column

from app.catalog.data import SHORT_NAMES
from app.extensions import db

NAME_MAX = 200
SHORT_NAME_MAX = 40


class Service(db.Model):
    """A kind of help, mapped to one of the five basic digital skills (DESIGN §3)."""

    __tablename__ = "services"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(16), unique=True)
    name_vi: Mapped[str] = mapped_column(String(NAME_MAX))
    name_en: Mapped[str] = mapped_column(String(NAME_MAX))
    # What lists show (with the full name on hover); empty: the full name.
    short_name_vi: Mapped[str] = mapped_column(String(SHORT_NAME_MAX), default="", server_default="")
    short_name_en: Mapped[str] = mapped_column(String(SHORT_NAME_MAX), default="", server_default="")
    skill: Mapped[int]
    sort_order: Mapped[int] = mapped_column(default=0)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)

    @property
    def name(self) -> str:
        locale = get_locale()
        return self.name_en if locale and locale.language == "en" else self.name_vi

    @classmethod
    def from_catalogue(cls, order: int, code: str, name_vi: str, name_en: str, skill: int) -> "Service":
        """A row of ``data.SERVICES`` as a service, with its short names."""
        short_vi, short_en = SHORT_NAMES.get(code, ("", ""))
        return cls(code=code, name_vi=name_vi, name_en=name_en, skill=skill, sort_order=order,
                   short_name_vi=short_vi, short_name_en=short_en)

    @property
    def short_name(self) -> str:
        locale = get_locale()
        short = self.short_name_en if locale and locale.language == "en" else self.short_name_vi
        return short or self.name

    def __repr__(self) -> str:
        return f"<Service {self.code}>"
