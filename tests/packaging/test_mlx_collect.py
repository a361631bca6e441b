"""The spec's MLX collection (packaging/mlx_collect.py) over a fake macOS mlx package tree:
laid out the way PyInstaller lays out the .app and the onedir build (its own dependency
placement and BUNDLE relocation code), the Metal library must sit beside the libmlx.dylib that
``mlx/core.*.so`` loads, as one file."""

from __future__ import annotations

import importlib.util
import os
import pathlib
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
CORE = "core.cpython-312-darwin.so"


def _load(name: str) -> Any:
    # packaging/ is not an importable package (and "packaging" is a PyPI name): load by path.
    spec = importlib.util.spec_from_file_location(name, ROOT / "packaging" / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


mlx_collect = _load("mlx_collect")


@pytest.fixture
def site(tmp_path: Path) -> Path:
    """site-packages with a fake mlx + mlx-metal install (file contents are irrelevant)."""
    sp = tmp_path / "site-packages"
    (sp / "mlx" / "lib").mkdir(parents=True)
    (sp / "mlx" / CORE).write_bytes(b"core")
    (sp / "mlx" / "lib" / "libmlx.dylib").write_bytes(b"libmlx")
    (sp / "mlx" / "lib" / "mlx.metallib").write_bytes(b"kernels")
    return sp


def _analysis_toc(site: Path, files: Any) -> list[tuple[str, str, str]]:
    """The TOC that Analysis hands to COLLECT/BUNDLE: the spec's entries, the extension module,
    and libmlx.dylib as the binary dependency scan places it (``@rpath/libmlx.dylib`` of core)."""
    from PyInstaller.building.datastruct import normalize_toc
    from PyInstaller.depend import bindepend

    toc = [(f"mlx/{CORE}", str(site / "mlx" / CORE), "EXTENSION")]
    toc += [(f"{d}/{Path(s).name}", s, "BINARY") for s, d in files.binaries]
    toc += [(os.path.normpath(f"{d}/{Path(s).name}"), s, "DATA") for s, d in files.datas]
    lib = site / "mlx" / "lib" / "libmlx.dylib"
    dest = Path(bindepend._select_destination_directory(lib, [site]))
    toc.append((str(dest), str(lib), "BINARY"))
    if dest.parent != Path("."):  # bindepend's link from the top-level folder
        toc.append((dest.name, str(dest), "SYMLINK"))
    toc += list(files.symlinks)
    return list(normalize_toc(toc))


def _materialize(toc: list[tuple[str, str, str]], root: Path) -> None:
    for dest, src, typecode in toc:
        path = root / dest
        path.parent.mkdir(parents=True, exist_ok=True)
        if typecode == "SYMLINK":
            os.symlink(src, path)
        else:
            path.write_bytes(Path(src).read_bytes())


def _app(site: Path, files: Any, out: Path) -> Path:
    from PyInstaller.building.osx import BUNDLE

    bundle_toc = BUNDLE._process_bundle_toc(BUNDLE, _analysis_toc(site, files))
    app = out / "Granite Dictate.app"
    _materialize(bundle_toc, app)
    return app


def _loaded_libmlx(top: Path) -> Path:
    """core.so's rpath is ``@loader_path/..`` (one level per folder of its destination, see
    PyInstaller building/utils.py): the top-level folder."""
    core = top / "mlx" / CORE
    assert core.exists()
    loaded = core.parent / ".." / "libmlx.dylib"
    assert loaded.exists(), "core would not find libmlx.dylib"
    return Path(os.path.normpath(loaded))


def _metallib_beside(loaded: Path) -> bool:
    """MLX's colocated lookup for either path dladdr may report (as loaded, or resolved)."""
    return all((d / "mlx.metallib").is_file() for d in (loaded.parent, loaded.resolve().parent))


def _real_metallibs(root: Path) -> list[Path]:
    return [p for p in root.rglob("*.metallib") if p.is_file() and not p.is_symlink()]


def test_app_bundle_has_metallib_beside_the_loaded_libmlx(site: Path, tmp_path: Path) -> None:
    app = _app(site, mlx_collect.collect_mlx(site / "mlx"), tmp_path)
    loaded = _loaded_libmlx(app / "Contents" / "Frameworks")
    assert loaded == app / "Contents" / "Frameworks" / "libmlx.dylib"
    assert _metallib_beside(loaded)
    assert len(_real_metallibs(app)) == 1  # one copy, the rest are links
    # codesign wants data out of Contents/Frameworks: the real file is in Resources.
    assert _real_metallibs(app)[0].parent == app / "Contents" / "Resources"


def test_onedir_build_has_metallib_beside_the_loaded_libmlx(site: Path, tmp_path: Path) -> None:
    top = tmp_path / "GraniteDictate" / "_internal"
    _materialize(_analysis_toc(site, mlx_collect.collect_mlx(site / "mlx")), top)
    assert _metallib_beside(_loaded_libmlx(top))
    assert len(_real_metallibs(top)) == 1


def test_the_old_layout_is_caught(site: Path, tmp_path: Path) -> None:
    """The check fails for the metallib kept in mlx/lib only (what the spec used to do)."""
    old = mlx_collect.MlxFiles(
        binaries=[(str(site / "mlx" / "lib" / "libmlx.dylib"), "mlx/lib")],
        datas=[(str(site / "mlx" / "lib" / "mlx.metallib"), "mlx/lib")],
    )
    app = _app(site, old, tmp_path)
    assert not _metallib_beside(_loaded_libmlx(app / "Contents" / "Frameworks"))


def test_linux_wheel_has_only_shared_libraries(tmp_path: Path) -> None:
    lib = tmp_path / "mlx" / "lib"
    lib.mkdir(parents=True)
    (lib / "libmlx.so").write_bytes(b"x")
    files = mlx_collect.collect_mlx(tmp_path / "mlx")
    assert files.binaries == [(str(lib / "libmlx.so"), "mlx/lib")]
    assert files.datas == [] and files.symlinks == []


def test_spec_uses_the_collection_function() -> None:
    spec = (ROOT / "packaging" / "granite_dictate.spec").read_text(encoding="utf-8")
    assert "collect_mlx(" in spec and "a.datas += " in spec
    assert pathlib.PurePath("mlx/lib/mlx.metallib") not in {
        pathlib.PurePath(line.strip()) for line in spec.splitlines()
    }
