"""Finding a widget the way a screen reader names it."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget


def named_child[W: QWidget](root: QWidget, cls: type[W], accessible_name: str) -> W:
    """The child of type ``cls`` whose accessible name is ``accessible_name``."""
    for child in root.findChildren(cls):
        if child.accessibleName() == accessible_name:
            return child
    raise AssertionError(f"no {cls.__name__} named {accessible_name!r}")
