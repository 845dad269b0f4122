"""Integration tests drive whole windows: the same no-timers-left check as the widget tests."""

from tests.ui.conftest import _no_dangling_timers

__all__ = ["_no_dangling_timers"]
