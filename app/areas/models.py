from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import Boolean, ForeignKey, Index, String, Text, and_
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.db import PathString, UTCDateTime, utcnow
from app.core.labels import LabelledEnum
from app.extensions import db


class AreaKind(LabelledEnum):
    PROVINCE = "province", _l("Province")
    DISTRICT = "district", _l("District")
    COMMUNE = "commune", _l("Commune or ward")
    VILLAGE = "village", _l("Village")


class Area(db.Model):
    """A place in the one tree province → (district) → commune → village.

    ``path`` is ``/<id>/<id>/.../`` from the root, so everything under an area is one
    indexed range scan (``Area.subtree``).
    """

    __tablename__ = "areas"
    __table_args__ = (Index("ix_areas_parent_id_name", "parent_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(120))
    search_key: Mapped[str] = mapped_column(String(120), index=True)
    code: Mapped[str | None] = mapped_column(String(16), unique=True)
    unit_type: Mapped[str | None] = mapped_column(String(32))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("areas.id"), index=True)
    path: Mapped[str] = mapped_column(PathString, default="", index=True)
    former_district: Mapped[str | None] = mapped_column(String(200))
    former_commune: Mapped[str | None] = mapped_column(String(120))
    # Names the place had before a rename, one per line, and their search keys (space-separated),
    # so a search for an old name still finds it.
    former_names: Mapped[str | None] = mapped_column(Text)
    former_names_key: Mapped[str | None] = mapped_column(Text)
    declared_households: Mapped[int | None]
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    parent: Mapped["Area | None"] = relationship(remote_side=[id], back_populates="children")
    children: Mapped[list["Area"]] = relationship(back_populates="parent", order_by="Area.name")

    @classmethod
    def subtree(cls, path: str):
        """Rows whose path starts with ``path`` ('/' sorts right before '0')."""
        return and_(cls.path >= path, cls.path < path[:-1] + "0")

    @property
    def former_name_list(self) -> list[str]:
        return [name for name in (self.former_names or "").split("\n") if name]

    @property
    def label(self) -> str:
        """'Thôn 1 (Xã Thạch Sơn)': villages kept their names when communes merged, so one
        commune can hold two 'Thôn 1'; the former commune tells them apart."""
        return f"{self.name} ({self.former_commune})" if self.former_commune else self.name

    @property
    def depth(self) -> int:
        return self.path.count("/") - 1

    @property
    def audit_area_id(self) -> int | None:
        """Where its audit events belong: the place itself (its parent before it has an id)."""
        return self.id if self.id is not None else self.parent_id

    def ancestor_ids(self) -> list[int]:
        return [int(part) for part in self.path.strip("/").split("/") if part]

    def is_within(self, other: "Area") -> bool:
        return self.path.startswith(other.path)

    def __repr__(self) -> str:
        return f"<Area {self.kind} {self.name!r}>"
