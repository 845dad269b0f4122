"""`station scale ...`: being built (devices issue)."""

from __future__ import annotations

import argparse
from typing import Any

from station.settings import Settings


def add_scale_parser(commands: Any, common: argparse.ArgumentParser) -> None:
    commands.add_parser("scale", parents=[common], help="(not available yet)")


def run_scale(args: argparse.Namespace, settings: Settings, as_json: bool) -> int:
    raise NotImplementedError("station scale is not built yet")
