"""Where the frozen app puts MLX's native files; used by ``granite_dictate.spec``, tested on
Linux over a fake mlx package tree (tests/packaging/test_mlx_collect.py).

Why the Metal library needs care: MLX looks for ``mlx.metallib`` only next to the libmlx
that is actually loaded (``load_default_library`` in mlx ``mlx/backend/metal/device.cpp`` takes
that folder from ``dladdr``); the path compiled into the wheel does not exist on the user's
Mac. In the frozen app, PyInstaller rewrites ``mlx/core.*.so`` to load ``@rpath/libmlx.dylib``
with ``@rpath`` = the top-level folder (``Contents/Frameworks`` in the .app, ``_internal`` in
the onedir build); there ``libmlx.dylib`` is a symlink to ``mlx/lib/libmlx.dylib``, collected
with its parent folders kept. So the metallib is collected once, at the top level, beside the
loaded ``libmlx.dylib`` (in the .app: the file in ``Contents/Resources``, PyInstaller's
cross-link in ``Contents/Frameworks``), and ``mlx/lib/mlx.metallib`` is a symlink to it, for
the case where dyld reports the symlink's target instead. One copy (the file is 100+ MB).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

METALLIB_SUFFIX = ".metallib"
LIB_DIR = "mlx/lib"  # inside the bundle, as in the wheel


@dataclass
class MlxFiles:
    """Entries for the spec: ``binaries``/``datas`` as ``(source, destination folder)`` for
    ``Analysis``; ``symlinks`` as ``(destination name, relative target, "SYMLINK")`` TOC
    entries to append to ``a.datas`` after ``Analysis``."""

    binaries: list[tuple[str, str]] = field(default_factory=list)
    datas: list[tuple[str, str]] = field(default_factory=list)
    symlinks: list[tuple[str, str, str]] = field(default_factory=list)


def is_shared_library(name: str) -> bool:
    return name.endswith((".so", ".dylib")) or ".so." in name


def collect_mlx(mlx_package_dir: Path) -> MlxFiles:
    """What to collect from an installed ``mlx`` package folder (``site-packages/mlx``)."""
    out = MlxFiles()
    lib = mlx_package_dir / "lib"
    for f in sorted(lib.iterdir()) if lib.is_dir() else []:
        if not f.is_file():
            continue
        if f.name.endswith(METALLIB_SUFFIX):
            out.datas.append((str(f), "."))  # beside the loaded libmlx.dylib
            out.symlinks.append((f"{LIB_DIR}/{f.name}", f"../../{f.name}", "SYMLINK"))
        elif is_shared_library(f.name):
            out.binaries.append((str(f), LIB_DIR))
        else:
            out.datas.append((str(f), LIB_DIR))
    return out
