"""`station devices ...`: being built (devices issue)."""

from __future__ import annotations

import argparse
from typing import Any

from station.settings import Settings


def add_devices_parser(commands: Any, common: argparse.ArgumentParser) -> None:
    commands.add_parser("devices", parents=[common], help="(not available yet)")


def run_devices(args: argparse.Namespace, settings: Settings, as_json: bool) -> int:
    raise NotImplementedError("station devices is not built yet")
