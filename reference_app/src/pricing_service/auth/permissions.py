"""Roles and permissions: the one place that says which role may do what.

Roles nest: viewer ⊂ pricing_manager ⊂ admin. Routes ask for a permission, never a role.
"""

from __future__ import annotations

from enum import StrEnum


class Permission(StrEnum):
    PRODUCTS_READ = "products:read"
    PRODUCTS_WRITE = "products:write"
    PRICES_WRITE = "prices:write"
    SYNC_READ = "sync:read"
    SYNC_RUN = "sync:run"
    USERS_MANAGE = "users:manage"


class Role(StrEnum):
    VIEWER = "viewer"
    PRICING_MANAGER = "pricing_manager"
    ADMIN = "admin"


_VIEWER = frozenset({Permission.PRODUCTS_READ, Permission.SYNC_READ})
_PRICING_MANAGER = _VIEWER | {Permission.PRICES_WRITE, Permission.SYNC_RUN}

ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.VIEWER: _VIEWER,
    Role.PRICING_MANAGER: _PRICING_MANAGER,
    Role.ADMIN: frozenset(Permission),
}


def permissions_for(role: str) -> frozenset[Permission]:
    """The permissions of a role; an unknown role (e.g. one removed from code) has none."""
    try:
        return ROLE_PERMISSIONS[Role(role)]
    except ValueError:
        return frozenset()
