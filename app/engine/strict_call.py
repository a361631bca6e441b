"""Strict calls into mlx-audio, whose functions often swallow unknown keyword arguments.

``checked_call(func, *args, **kwargs)`` refuses any keyword the function does not name in its
signature (a ``**kwargs`` catch-all does not count), so a misspelt option fails loudly instead
of being silently ignored.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterable
from typing import Any


def named_parameters(func: Callable[..., Any]) -> set[str]:
    """Explicit keyword-capable parameter names of ``func`` (no ``*args``/``**kwargs``)."""
    kinds = (inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.KEYWORD_ONLY)
    return {p.name for p in inspect.signature(func).parameters.values() if p.kind in kinds}


def unknown_kwargs(func: Callable[..., Any], names: Iterable[str]) -> list[str]:
    known = named_parameters(func)
    return sorted(n for n in names if n not in known)


def checked_call(func: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Call ``func`` after checking every keyword is an explicit parameter."""
    unknown = unknown_kwargs(func, kwargs)
    if unknown:
        name = getattr(func, "__qualname__", repr(func))
        raise TypeError(f"{name}() has no parameter(s) {', '.join(unknown)}")
    return func(*args, **kwargs)
