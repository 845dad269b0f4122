"""Check that Qt's widgets load on this machine; name the missing system library if not.

PySide6 wheels bundle Qt itself but rely on a few system libraries (OpenGL/EGL, fontconfig,
xkbcommon, D-Bus). On a bare Linux image one of them may be missing; this turns Python's
"cannot open shared object file" into the exact package to install.
"""

from __future__ import annotations

import os
import re
import sys

DEBIAN_PACKAGES = {
    "libEGL.so": "libegl1",
    "libGL.so": "libgl1",
    "libOpenGL.so": "libopengl0",
    "libfontconfig.so": "libfontconfig1",
    "libfreetype.so": "libfreetype6",
    "libxkbcommon.so": "libxkbcommon0",
    "libxkbcommon-x11.so": "libxkbcommon-x11-0",
    "libdbus-1.so": "libdbus-1-3",
    "libglib-2.0.so": "libglib2.0-0",
    "libX11.so": "libx11-6",
    "libX11-xcb.so": "libx11-xcb1",
    "libxcb-cursor.so": "libxcb-cursor0",
}


def main() -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    try:
        from PySide6.QtWidgets import QApplication

        QApplication.instance() or QApplication([])
    except ImportError as exc:
        match = re.search(r"(lib[\w.+-]+?\.so)", str(exc))
        library = match.group(1) if match else None
        package = DEBIAN_PACKAGES.get(library or "")
        print(f"Qt cannot load: {exc}", file=sys.stderr)
        if package:
            print(f"Install it with: sudo apt-get install -y {package}", file=sys.stderr)
        else:
            print(
                "Install the missing system library named above (Debian/Ubuntu: apt-get).",
                file=sys.stderr,
            )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
