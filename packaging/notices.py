"""Generate THIRD_PARTY_NOTICES.md from requirements/lock.txt (app/core/about/notices.py does it).

    .venv/bin/python packaging/notices.py [OUT]      # default: build/THIRD_PARTY_NOTICES.md
    .venv/bin/python packaging/notices.py --check    # exit 1: locked packages without a license

The spec runs the same generation at build time and ships the file in the app.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from app.core.about import notices  # noqa: E402


def main(argv: list[str]) -> int:
    missing = notices.missing_licenses()
    for name in missing:
        print(f"notices.py: no license found for {name}", file=sys.stderr)
    if "--check" in argv:
        return 1 if missing else 0
    out = Path(argv[0]) if argv else ROOT / "build" / notices.FILE_NAME
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(notices.render(notices.entries()), encoding="utf-8")
    print(f"wrote {out}")
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
