"""Mutation testing of the station's invariants (``make mutation``), with mutmut 3.

Why: a suite can pass while it misses the bugs that matter (finalize no longer atomic, a stale
dispute version accepted, a 3xx counted as delivered...). mutmut plants such bugs one at a
time and runs the tests that cover the changed function; a mutant that no test notices
"survives". Which files mutmut mutates and which tests run is [tool.mutmut] in pyproject.toml;
which of their functions carry an invariant, and so are run and scored, is
scripts/mutation_scope.toml. The invariants only, so a run fits the two-core bench machines.

Usage::

    python scripts/mutation.py                     # run what is not yet checked, then report
    python scripts/mutation.py station.sync.relay  # (re)run one module's mutants, then report
    python scripts/mutation.py --report            # only report the last results

The report gives per module (its invariant functions): mutants, killed, survived, equivalent (listed with the reason in
scripts/mutation_equivalent.toml: the mutant behaves exactly as the original), and any other
outcome (timeout, no tests). It exits 1 when a mutant survives that is not listed as
equivalent, so it can gate CI. ``mutmut show NAME`` prints a mutant's diff.
"""

from __future__ import annotations

import argparse
import fnmatch
import logging
import os
import re
import subprocess
import sys
import time
import tomllib
from collections import Counter, defaultdict
from pathlib import Path

log = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parent.parent
EQUIVALENT_FILE = ROOT / "scripts" / "mutation_equivalent.toml"
SCOPE_FILE = ROOT / "scripts" / "mutation_scope.toml"
RESULT_LINE = re.compile(r"^\s*(?P<name>\S+): (?P<status>.+?)\s*$")
MODULE_OF = re.compile(r"^(?P<module>.+?)\.x(?:_|ǁ)")


def mutmut() -> list[str]:
    """mutmut of this interpreter's environment (the project's .venv under make)."""
    return [str(Path(sys.executable).with_name("mutmut"))]


def dotted(module: str) -> str:
    """``station/sync/relay.py`` or ``station.sync.relay`` -> ``station.sync.relay``."""
    return module.removesuffix(".py").replace("/", ".").strip(".")


def load_scope() -> dict[str, list[str]]:
    """Module -> its invariant functions (``name``, ``Class.method`` or ``*``)."""
    with SCOPE_FILE.open("rb") as handle:
        scope = tomllib.load(handle)["scope"]
    return {str(module): [str(name) for name in names] for module, names in scope.items()}


def mutant_glob(module: str, function: str) -> str:
    """The mutmut 3 mutant-name glob of one function: ``x_f`` for a function, ``xǁCǁm`` for
    a method of class C."""
    if function == "*":
        return f"{module}.*"
    if "." in function:
        owner, method = function.split(".", 1)
        return f"{module}.xǁ{owner}ǁ{method}__mutmut_*"
    return f"{module}.x_{function}__mutmut_*"


def scope_globs(scope: dict[str, list[str]], modules: list[str]) -> list[str]:
    """The globs of the chosen modules' invariant functions (all modules when none chosen)."""
    chosen = [dotted(m) for m in modules] or list(scope)
    unknown = [m for m in chosen if m not in scope]
    if unknown:
        raise SystemExit(f"not in {SCOPE_FILE.name}: {', '.join(unknown)}")
    return [mutant_glob(m, f) for m in chosen for f in scope[m]]


def read_results() -> dict[str, str]:
    """Every mutant's status from ``mutmut results --all true`` (name -> status)."""
    out = subprocess.run(
        [*mutmut(), "results", "--all", "true"],
        cwd=ROOT, capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    results = {}
    for line in out.splitlines():
        match = RESULT_LINE.match(line)
        if match and MODULE_OF.match(match["name"]):
            results[match["name"]] = match["status"]
    return results


def load_equivalent() -> dict[str, str]:
    """Mutants recorded as equivalent (name -> why its behaviour is identical)."""
    if not EQUIVALENT_FILE.exists():
        return {}
    with EQUIVALENT_FILE.open("rb") as handle:
        return {str(k): str(v) for k, v in tomllib.load(handle).get("equivalent", {}).items()}


def report(results: dict[str, str], equivalent: dict[str, str], only: list[str]) -> int:
    """Prints the per-module table and the surviving mutants; returns how many need a test."""
    by_module: dict[str, Counter[str]] = defaultdict(Counter)
    survivors: dict[str, list[str]] = defaultdict(list)
    for name, status in sorted(results.items()):
        if not any(fnmatch.fnmatchcase(name, glob) for glob in only):
            continue
        module = MODULE_OF.match(name)["module"]  # type: ignore[index]
        if status == "survived" and name in equivalent:
            status = "equivalent"
        by_module[module][status] += 1
        if status == "survived":
            survivors[module].append(name)
    header = f"{'module':<36}{'mutants':>8}{'killed':>8}{'survived':>9}{'equiv.':>7}  other"
    print(header)
    print("-" * len(header))
    for module, counts in sorted(by_module.items()):
        other = ", ".join(
            f"{n} {s}" for s, n in sorted(counts.items())
            if s not in ("killed", "survived", "equivalent")
        )  # fmt: skip
        print(f"{module:<36}{sum(counts.values()):>8}{counts['killed']:>8}"
              f"{counts['survived']:>9}{counts['equivalent']:>7}  {other}")  # fmt: skip
    stale = sorted(n for n in equivalent if results.get(n, "survived") != "survived")
    for name in stale:
        print(f"note: {name} is listed as equivalent but is now {results.get(name)}")
    missing = sum(len(names) for names in survivors.values())
    for module, names in sorted(survivors.items()):
        print(f"\nsurviving in {module} (mutmut show NAME for the diff):")
        for name in names:
            print(f"  {name}")
    return missing


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("modules", nargs="*", help="only these modules (dotted or path)")
    parser.add_argument("--report", action="store_true", help="do not run, only report")
    parser.add_argument("--max-children", type=int, default=os.cpu_count() or 2)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    globs = scope_globs(load_scope(), args.modules)
    if not args.report:
        env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
        started = time.monotonic()
        command = [*mutmut(), "run", "--max-children", str(args.max_children), *globs]
        run = subprocess.run(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, check=False)
        log.info("mutmut run: exit %d after %.0f s", run.returncode, time.monotonic() - started)
        if run.returncode != 0:
            print(f"mutmut run failed (exit {run.returncode}); see `mutmut run` output")
            return 2
    missing = report(read_results(), load_equivalent(), globs)
    if missing:
        print(f"\n{missing} surviving mutant(s) need a test (or, if equivalent, an entry "
              f"in {EQUIVALENT_FILE.relative_to(ROOT)} saying why)")  # fmt: skip
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
