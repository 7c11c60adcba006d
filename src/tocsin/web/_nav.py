"""The navigation registry: each capability's router adds its pages to the menu.

A capability (alerts, assessments, speech review) adds its router and menu entries with
:func:`tocsin.web.add_capability`.
"""

from __future__ import annotations

from dataclasses import dataclass

from tocsin.web._security import Principal


@dataclass(frozen=True)
class NavItem:
    """One entry of the top menu."""

    key: str
    label: str
    path: str
    permission: str
    order: int = 100


class NavRegistry:
    """The menu entries, in order; a later registration with the same key replaces one."""

    def __init__(self) -> None:
        self._items: dict[str, NavItem] = {}

    def add(self, item: NavItem) -> None:
        self._items[item.key] = item

    def items(self) -> list[NavItem]:
        return sorted(self._items.values(), key=lambda i: (i.order, i.label))

    def for_principal(self, principal: Principal | None) -> list[NavItem]:
        """The entries this caller may open (none before sign-in)."""
        if principal is None:
            return []
        return [item for item in self.items() if principal.can(item.permission)]
