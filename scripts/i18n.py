"""Message catalogues: ``update`` re-extracts and merges, ``check`` lists what is missing.

Usage: python scripts/i18n.py update|check
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from station.i18n import LANGUAGES, SOURCE_LANGUAGE
from station.i18n_tools import catalogue_problems, extract_template, update_catalogues


def main(argv: list[str]) -> int:
    command = argv[0] if argv else "check"
    if command == "update":
        for language, missing in update_catalogues().items():
            print(f"{language}: {missing} entries to translate")
        return 0
    if command == "check":
        messages = [str(m.id) for m in extract_template() if m.id]
        problems = [
            problem
            for language in LANGUAGES
            if language != SOURCE_LANGUAGE
            for problem in catalogue_problems(language, messages)
        ]
        for problem in problems:
            print(problem)
        print(f"{len(messages)} messages, {len(problems)} problems")
        return 1 if problems else 0
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
