"""Check that Qt can open the bench window on this machine; name the missing packages if not.

PySide6 wheels bundle Qt but rely on system libraries: OpenGL/EGL, fontconfig and xkbcommon
for any window, and a set of xcb libraries for the X11 platform plugin. On a bare or minimal
Linux image some are missing, and Qt's own message names only one of them at a time. This runs
``ldd`` on the libraries Qt will load and prints one ``apt-get install`` line for all of them.

``--offscreen`` checks only what headless tests need (no display libraries).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

# soname prefix -> Debian/Ubuntu package
DEBIAN_PACKAGES = {
    "libEGL.so": "libegl1",
    "libGL.so": "libgl1",
    "libOpenGL.so": "libopengl0",
    "libGLX.so": "libglx0",
    "libfontconfig.so": "libfontconfig1",
    "libfreetype.so": "libfreetype6",
    "libxkbcommon.so": "libxkbcommon0",
    "libxkbcommon-x11.so": "libxkbcommon-x11-0",
    "libdbus-1.so": "libdbus-1-3",
    "libglib-2.0.so": "libglib2.0-0",
    "libX11.so": "libx11-6",
    "libX11-xcb.so": "libx11-xcb1",
    "libxcb.so": "libxcb1",
    "libxcb-cursor.so": "libxcb-cursor0",
    "libxcb-icccm.so": "libxcb-icccm4",
    "libxcb-image.so": "libxcb-image0",
    "libxcb-keysyms.so": "libxcb-keysyms1",
    "libxcb-randr.so": "libxcb-randr0",
    "libxcb-render-util.so": "libxcb-render-util0",
    "libxcb-render.so": "libxcb-render0",
    "libxcb-shape.so": "libxcb-shape0",
    "libxcb-shm.so": "libxcb-shm0",
    "libxcb-sync.so": "libxcb-sync1",
    "libxcb-xfixes.so": "libxcb-xfixes0",
    "libxcb-xinerama.so": "libxcb-xinerama0",
    "libxcb-xkb.so": "libxcb-xkb1",
}


def qt_root() -> Path | None:
    try:
        import PySide6
    except ImportError:
        return None
    return Path(PySide6.__file__).parent / "Qt"


def missing_libraries(qt: Path, with_display: bool) -> list[str]:
    if not shutil.which("ldd"):
        return []
    targets = [qt / "lib" / "libQt6Widgets.so.6", qt / "plugins" / "platforms" / "libqoffscreen.so"]
    if with_display:
        targets += [qt / "plugins" / "platforms" / "libqxcb.so", qt / "lib" / "libQt6XcbQpa.so.6"]
    env = {**os.environ, "LD_LIBRARY_PATH": str(qt / "lib")}
    missing: set[str] = set()
    for target in targets:
        if not target.exists():
            continue
        output = subprocess.run(
            ["ldd", str(target)], capture_output=True, text=True, env=env, check=False
        ).stdout
        missing.update(re.findall(r"^\s*(\S+) => not found", output, flags=re.MULTILINE))
    return sorted(missing)


def package_for(soname: str) -> str | None:
    base = re.sub(r"\.so.*$", ".so", soname)
    return DEBIAN_PACKAGES.get(base)


def main() -> int:
    offscreen = "--offscreen" in sys.argv or os.environ.get("QT_QPA_PLATFORM") == "offscreen"
    qt = qt_root()
    if qt is None:
        print("PySide6 is not installed in this environment", file=sys.stderr)
        return 1
    missing = missing_libraries(qt, with_display=not offscreen) if sys.platform == "linux" else []
    if missing:
        packages = sorted({package_for(name) or name for name in missing})
        print("Qt needs system libraries that are missing: " + ", ".join(missing), file=sys.stderr)
        print(f"Install them with: sudo apt-get install -y {' '.join(packages)}", file=sys.stderr)
        return 1
    if (
        not offscreen
        and sys.platform == "linux"
        and not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))
    ):
        print(
            "No display found: run the window on a desktop, or under a virtual display with "
            "`xvfb-run make run` (Debian/Ubuntu: apt-get install xvfb).",
            file=sys.stderr,
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
