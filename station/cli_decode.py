"""`station decode ...`: being built (devices issue)."""

from __future__ import annotations

import argparse
from typing import Any

from station.settings import Settings


def add_decode_parser(commands: Any, common: argparse.ArgumentParser) -> None:
    commands.add_parser("decode", parents=[common], help="(not available yet)")


def run_decode(args: argparse.Namespace, settings: Settings, as_json: bool) -> int:
    raise NotImplementedError("station decode is not built yet")
