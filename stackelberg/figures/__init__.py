"""The reproductions of the papers' figures and tables, and the runner that writes ``REPORT.md``.

Each module of :data:`SCRIPTS` reproduces one figure or table: ``run(out_dir, quick=False) -> dict`` writes
PNG + CSV into ``out_dir`` and returns its numbers, ``account(numbers, quick) -> list[Row]`` states per item the
paper's number, ours in that run and ours at full scale (see :mod:`stackelberg.figures._account` for the rows and
the verdict rule), and ``main()`` makes it runnable as ``python -m stackelberg.figures.NAME --out DIR [--quick]``.
:func:`reproduce` runs the chosen modules and writes the report. Only the modules of the registry are ever run,
imported by name: nothing is executed from a path.

Examples
--------
>>> list(SCRIPTS)[:2]
['biac_counterexample', 'ch6_designer_escape_room']
>>> reproduce("out", only=["fig99"])
Traceback (most recent call last):
...
ValueError: only names unknown figures ['fig99']; known: biac_counterexample, ...
"""

from __future__ import annotations

import importlib
import inspect
import json
import time
import traceback
from pathlib import Path

from stackelberg._progress import progress_iter, wants_progress
from stackelberg._validation import check_flag
from stackelberg.errors import MissingExtraError, StackelbergError
from stackelberg.figures._account import VERDICT_RULE, Row, fmt, verdict

__all__ = ["SCRIPTS", "ReproductionError", "reproduce"]

#: The figure scripts, in report order: name -> module (imported by name, never from a path).
SCRIPTS: dict[str, str] = {
    name: f"stackelberg.figures.{name}"
    for name in (
        "biac_counterexample",
        "ch6_designer_escape_room",
        "ch6_sampled_designer",
        "ebpg_ablations",
        "ebpg_exact_leader",
        "ebpg_neural_leader",
        "ebpg_rl_followers",
        "fig1_biac_grid_game",
        "fig2_se_vs_ne",
        "fig5_2_lio_ipd",
        "fig5_4_5_escape_room",
        "fig5_step_penalty_mixing",
        "figB1_lio_pg",
        "highway_biac_table4",
        "highway_step_onramp",
        "incentive_example1",
        "incentive_gridworld",
        "learning_curves",
        "lio_baselines",
        "neural_biac_tables",
        "neural_grid_games",
        "neural_step_penalty_mixing",
        "tab2_3_escape_maintain",
    )
}


class ReproductionError(StackelbergError, RuntimeError):
    """Some figure scripts failed; the others ran and ``REPORT.md`` was written.

    Attributes
    ----------
    failed : tuple of str
        The names of the failed scripts.
    report : pathlib.Path
        The report, which gives each failure's error.
    """

    def __init__(self, message: str, *, failed: tuple[str, ...], report: Path):
        super().__init__(message)
        self.failed = failed
        self.report = report


def _chosen(only) -> list[str]:
    if only is None:
        return list(SCRIPTS)
    if isinstance(only, str):
        only = [only]
    try:
        names = list(only)
    except TypeError:
        raise TypeError(f"only must be None or a list of script names; got {only!r}") from None
    if not names or not all(isinstance(name, str) for name in names):
        raise TypeError(f"only must be None or a non-empty list of script names; got {only!r}")
    unknown = [name for name in names if name not in SCRIPTS]
    if unknown:
        raise ValueError(f"only names unknown figures {unknown}; known: {', '.join(SCRIPTS)}")
    return list(dict.fromkeys(names))


def _jsonable(value):
    """Plain JSON data from a figure's numbers (tuple keys, numpy arrays, Fractions)."""
    if isinstance(value, dict):
        return {k if isinstance(k, str) else str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if hasattr(value, "tolist"):
        return value.tolist()
    if isinstance(value, (bool, int, float, str)) or value is None:
        return value
    return str(value)


def _cell(text: str) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def _table(rows: list[Row], quick: bool, *, script: str | None = None) -> list[str]:
    mode = "quick" if quick else "full"
    head = (["script"] if script is not None else []) + [
        "item", "paper", f"ours (this run, {mode})", "ours (full scale, recorded)", "verdict (this run)",
        "verdict (full scale)"]  # fmt: skip
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for row in rows:
        full = "not recorded" if row.full is None else fmt(row.full)
        cells = ([script] if script is not None else []) + [
            row.item, fmt(row.paper), fmt(row.ours), full, verdict(row, quick=quick),
            verdict(row, quick=quick, full_scale=True)]  # fmt: skip
        lines.append("| " + " | ".join(_cell(c) for c in cells) + " |")
    return lines


def _run_one(name: str, target: Path, quick: bool, progress: bool) -> dict:
    """Import the registered module by name, run it and take its account."""
    module = importlib.import_module(SCRIPTS[name])
    kwargs = {"quick": quick}
    if "progress" in inspect.signature(module.run).parameters:
        kwargs["progress"] = progress
    start = time.perf_counter()
    numbers = module.run(target, **kwargs)
    seconds = time.perf_counter() - start
    rows = list(module.account(numbers, quick))
    if not all(isinstance(row, Row) for row in rows):
        raise TypeError(f"{name}.account must return Row objects")
    return dict(module=module, numbers=numbers, seconds=seconds, rows=rows)


def reproduce(out_dir, *, quick: bool = False, only=None, progress=None) -> Path:
    """Run the figure scripts; write PNG + CSV per script into ``out_dir/NAME`` and ``out_dir/REPORT.md``.

    Parameters
    ----------
    out_dir : str or os.PathLike
        The output directory (created if needed).
    quick : bool
        Few runs, seeds and iterations (about 1-2.5 minutes for all scripts on 2 cores); the report marks the
        numbers that are then not comparable with the papers as ``quick-only``.
    only : list of str, optional
        Names from :data:`SCRIPTS` to run, in the given order (default: all, in registry order).
    progress : bool or None
        A bar over the scripts (and inside the long ones); None shows it only when stderr is a terminal.

    Returns
    -------
    pathlib.Path
        The path of ``REPORT.md``.

    Raises
    ------
    ValueError
        If ``only`` names a script that is not in :data:`SCRIPTS` (the message lists the known ones).
    ReproductionError
        After every chosen script has run and the report is written, if any of them failed: a failing script
        does not hide the others; its error is in the report.
    """
    quick = check_flag("quick", quick)
    show = wants_progress(progress)
    names = _chosen(only)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    results, failed = {}, []
    for name in progress_iter(names, total=len(names), description="figure scripts", unit="script", progress=show):
        try:
            results[name] = _run_one(name, out / name, quick, show)
        except MissingExtraError as error:  # an optional part not installed: said in the report, not a failure
            results[name] = dict(skipped=str(error))
        except Exception as error:  # a broken script must not hide the others; it is reported and fails the run
            failed.append(name)
            results[name] = dict(error=f"{type(error).__name__}: {error}", trace=traceback.format_exc())
    report = out / "REPORT.md"
    report.write_text(_report(out, names, results, quick))
    if failed:
        raise ReproductionError(f"{len(failed)} of {len(names)} figure scripts failed ({', '.join(failed)}); "
                                f"see {report}", failed=tuple(failed), report=report)
    return report


def _report(out: Path, names: list[str], results: dict, quick: bool) -> str:
    mode = (
        "**quick** (`stackelberg reproduce --quick`): fewer runs, seeds, iterations and cases than the papers and "
        "our full runs. A quick number that depends on that budget is shown but marked **quick-only**: it is not "
        "comparable with the paper; the column *ours (full scale, recorded)* gives the number of our full run, "
        "recorded in the script."
        if quick
        else "**full** (`stackelberg reproduce`): the budgets the scripts' docstrings describe. *Ours (full scale, "
        "recorded)* is the number recorded in the script from an earlier full run; *ours (this run)* is this run's."
    )
    lines = ["# Reproduction report", "", f"Mode: {mode}", "", VERDICT_RULE, "", "## Summary", ""]
    all_rows = [(name, row) for name in names if "rows" in results[name] for row in results[name]["rows"]]
    counts: dict[str, int] = {}
    for _, row in all_rows:
        counts[verdict(row, quick=quick)] = counts.get(verdict(row, quick=quick), 0) + 1
    failed = [name for name in names if "error" in results[name]]
    skipped = [name for name in names if "skipped" in results[name]]
    tally = ", ".join(f"{k} {v}" for k, v in sorted(counts.items()))
    lines += [f"{len(names)} scripts, {len(failed)} failed{': ' + ', '.join(failed) if failed else ''}"
              f"{f', {len(skipped)} not run for a missing extra: ' + ', '.join(skipped) if skipped else ''}; "
              f"{len(all_rows)} rows: {tally}.", ""]
    head = _table([], quick, script="")[:2]
    lines += head
    for name, row in all_rows:
        lines += _table([row], quick, script=name)[2:]
    lines.append("")
    for name in names:
        result = results[name]
        lines += [f"## {name}", ""]
        if "skipped" in result:
            lines += [f"NOT RUN: {result['skipped']}", ""]
            continue
        if "error" in result:
            lines += [f"FAILED: {result['error']}", "", "```", result["trace"].rstrip(), "```", ""]
            continue
        doc = (result["module"].__doc__ or "").strip()
        title, _, prose = doc.partition("\n")
        target = out / name
        files = sorted(p.relative_to(out) for p in target.rglob("*") if p.suffix in (".png", ".csv"))
        lines += [f"{title}", "", f"Time: {result['seconds']:.1f} s ({'quick' if quick else 'full'} run).", "",
                  "### Numbers", ""]
        lines += _table(result["rows"], quick) + [""]
        lines += ["### Files", ""]
        lines += [f"- [{f.as_posix()}]({f.as_posix()})" if f.suffix == ".csv" else f"![{f.as_posix()}]({f.as_posix()})"
                  for f in files] + [""]
        lines += ["### About this reproduction", "",
                  "*The script's description. Numbers quoted in it are from a full run; this run's numbers are in "
                  "the table above.*", "", prose.strip(), ""]
        lines += ["<details><summary>All numbers of this run (JSON)</summary>", "", "```json",
                  json.dumps(_jsonable(result["numbers"]), indent=2, default=str), "```", "", "</details>", ""]
    return "\n".join(lines)
