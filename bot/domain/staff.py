"""Staff of the console: roles, areas and what each may see.

A village official (``village``) works for one desa, an officer (``officer``)
for one kabupaten/kota or, with no kabupaten/kota, for the whole province, an
admin for everything. A ticket outside a user's area does not exist for that
user: callers answer "not found", never "forbidden", so numbers cannot be probed.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass
from datetime import datetime

from bot.domain.errors import TabikError, with_message
from bot.domain.model import Entity

__all__ = [
    "USERNAME_PATTERN",
    "Area",
    "InvalidStaffAccount",
    "LoginFailed",
    "LoginThrottled",
    "Role",
    "StaffAccount",
    "StaffNotFound",
]

USERNAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._-]{2,39}$")


class Role(str, enum.Enum):
    VILLAGE = "village"
    OFFICER = "officer"
    ADMIN = "admin"


def _same(a: str | None, b: str | None) -> bool:
    # Place names come from people and the NLU in title case, but a stray case
    # difference must not hide a ticket from its own village.
    return a is not None and b is not None and a.strip().casefold() == b.strip().casefold()


@dataclass(frozen=True)
class Area:
    """A kabupaten/kota, optionally narrowed to a kecamatan and a desa; all None = province."""

    kabupaten_kota: str | None = None
    kecamatan: str | None = None
    desa: str | None = None

    @property
    def is_province(self) -> bool:
        return self.kabupaten_kota is None

    def contains(self, kabupaten_kota: str | None, kecamatan: str | None, desa: str | None) -> bool:
        """Whether a place lies inside this area (an unknown part of the place is outside)."""
        if self.kabupaten_kota is None:
            return True
        if not _same(self.kabupaten_kota, kabupaten_kota):
            return False
        if self.kecamatan is not None and not _same(self.kecamatan, kecamatan):
            return False
        return self.desa is None or _same(self.desa, desa)

    def label(self) -> str:
        parts = [p for p in (self.desa, self.kecamatan, self.kabupaten_kota) if p]
        return ", ".join(parts) if parts else "Provinsi Lampung"


@with_message("invalid staff account {field}: {problem}")
class InvalidStaffAccount(TabikError, ValueError):
    """An account that cannot exist: bad username, role without its area, unknown place."""

    field: str
    problem: str


@with_message("no staff account {username!r}")
class StaffNotFound(TabikError):
    username: str


@with_message("wrong username or password")
class LoginFailed(TabikError):
    """Wrong username or password (which one is never said)."""


@with_message("too many failed logins from this address; retry in {retry_after:.0f} s")
class LoginThrottled(TabikError):
    """Too many wrong passwords from one address (for one username, or for any): that
    address waits ``retry_after`` seconds. Said the same for known and unknown usernames,
    and never said to other addresses."""

    retry_after: float


class StaffAccount(Entity):
    """A console user. ``password_hash`` is an argon2 hash; the password itself is never kept."""

    username: str
    full_name: str
    role: Role
    password_hash: str
    created_at: datetime
    kabupaten_kota: str | None = None
    kecamatan: str | None = None
    desa: str | None = None
    active: bool = True
    failed_logins: int = 0
    locked_until: datetime | None = None
    # Sessions issued before this moment are no longer valid (``staff revoke``).
    sessions_valid_after: datetime | None = None
    # An officer of one agency (instansi): sees the tickets it holds or watches.
    agency_code: str | None = None

    @property
    def area(self) -> Area:
        if self.role is Role.ADMIN:
            return Area()
        return Area(self.kabupaten_kota, self.kecamatan, self.desa)

    @property
    def is_admin(self) -> bool:
        return self.role is Role.ADMIN

    @property
    def actor(self) -> str:
        """How the account is named in ticket histories and the audit log."""
        return f"staff:{self.username}"

    def validate(self) -> None:
        if not USERNAME_PATTERN.match(self.username):
            raise InvalidStaffAccount(
                "username", "3-40 lower-case letters, digits, '.', '_' or '-'"
            )
        if self.role is Role.VILLAGE and not (self.kabupaten_kota and self.kecamatan and self.desa):
            raise InvalidStaffAccount("area", "a village account needs kabupaten, kecamatan, desa")
        if self.role is Role.OFFICER and (
            self.desa or (self.kecamatan and not self.kabupaten_kota)
        ):
            raise InvalidStaffAccount("area", "an officer works for a kabupaten/kota or province")

    def may_see(self, kabupaten_kota: str | None, kecamatan: str | None, desa: str | None) -> bool:
        """Whether a ticket filed at this place exists for this account."""
        return self.active and self.area.contains(kabupaten_kota, kecamatan, desa)

    def may_answer_handoffs_of(self, area: Area) -> bool:
        """Handoffs go to officers of the resident's kabupaten/kota, province officers, admins."""
        if not self.active or self.role is Role.VILLAGE:
            return False
        if self.role is Role.ADMIN or self.kabupaten_kota is None:
            return True
        return _same(self.kabupaten_kota, area.kabupaten_kota)
