"""``stackelberg reproduce``: run the figure scripts (PNG + CSV per figure) and write ``REPORT.md``.

The scripts are read from the repository's ``figures/`` folder next to the package (or ``--figures DIR``).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from ._common import CommandError

__all__ = ["add_parser", "figure_scripts", "run"]

HELP = "run every figure script of the papers' reproductions; PNG + CSV per figure and REPORT.md"
FIGURES = Path(__file__).resolve().parents[2] / "figures"


def figure_scripts(directory: Path) -> dict[str, Path]:
    """Script name -> path of every figure script in ``directory``."""
    return {path.stem: path for path in sorted(directory.glob("*.py")) if not path.name.startswith("_")}


def add_parser(subparsers) -> None:
    """The ``reproduce`` verb and its options."""
    import argparse

    names = list(figure_scripts(FIGURES)) if FIGURES.is_dir() else []
    known = ", ".join(names) if names else "(none found: run from a source checkout or pass --figures DIR)"
    p = subparsers.add_parser(
        "reproduce", help=HELP, formatter_class=argparse.RawDescriptionHelpFormatter,
        description=f"{HELP[0].upper()}{HELP[1:]}.\n\n"
                    "--quick runs few trials: about 1 minute on 2 idle cores, up to 2.5 minutes on a busy machine.\n"
                    "Without --quick every script runs at the papers' scale, which takes far longer.\n\n"
                    f"Figure scripts (names for --only):\n  " + "\n  ".join(names or [known]))
    p.add_argument("--quick", action="store_true",
                   help="few trials: about 1-2.5 minutes on 2 cores (default: the papers' full scale)")
    p.add_argument("--only", nargs="+", metavar="NAME", help=f"figure scripts to run (default: all): {known}")
    p.add_argument("--out", default="reproduce-out", help="output directory (default reproduce-out)")
    p.add_argument("--figures", default=None, metavar="DIR",
                   help="directory of the figure scripts (default: the checkout's figures/)")
    p.set_defaults(run=run)


def run(args) -> int:
    """Run the chosen scripts, one section of REPORT.md each; exit 1 if any failed."""
    import importlib.util
    import time

    directory = Path(args.figures) if args.figures else FIGURES
    scripts = figure_scripts(directory) if directory.is_dir() else {}
    if not scripts:
        raise CommandError(f"no figure scripts in {directory} (run from a source checkout or pass --figures DIR)")
    chosen = args.only or list(scripts)
    unknown = [name for name in chosen if name not in scripts]
    if unknown:
        raise CommandError(f"--only names unknown figures {unknown}; known: {', '.join(scripts)}")
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    report = ["# Reproduction report", "", f"Mode: {'quick' if args.quick else 'full'}. Each section: what the "
              "script reproduced (the papers' numbers are given beside ours in the values), and its files.", ""]
    failures = 0
    for name in chosen:
        spec = importlib.util.spec_from_file_location(f"_figure_{name}", scripts[name])
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        target = out / name
        print(f"--- {name}", flush=True)
        start = time.perf_counter()
        try:
            numbers = module.run(target, quick=args.quick)
        except Exception as error:  # a broken figure must not hide the others; it is reported and fails the run
            failures += 1
            report += [f"## {name}", "", f"FAILED: {type(error).__name__}: {error}", ""]
            print(f"    FAILED: {error}", file=sys.stderr)
            continue
        seconds = time.perf_counter() - start
        # the script's docstring says what the paper reports and how ours differs; its numbers follow
        report += [f"## {name}", "", (module.__doc__ or "").strip(), "", f"Time: {seconds:.1f} s.", "",
                   "Reproduced numbers:", "", "```", json.dumps(_jsonable(numbers), indent=2), "```", ""]
        files = sorted(p.relative_to(out) for p in target.rglob("*") if p.suffix in (".png", ".csv"))
        report += [f"- [{f}]({f})" if f.suffix == ".csv" else f"![{f}]({f})" for f in files] + [""]
        print(f"    done in {seconds:.1f} s, {len(files)} files", flush=True)
    (out / "REPORT.md").write_text("\n".join(report))
    print(f"wrote {out / 'REPORT.md'}")
    return 1 if failures else 0


def _jsonable(value):
    """Plain JSON data from a figure's numbers (tuple keys, numpy arrays, Fractions)."""
    if isinstance(value, dict):
        return {k if isinstance(k, str) else str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if hasattr(value, "tolist"):
        return _jsonable(value.tolist())
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return str(value)
