"""One progress-bar helper for every long computation.

``progress=None`` (the default everywhere) shows a bar only when standard error is a terminal, so redirected
output, pipes and CI get no bar noise; ``True`` forces one, ``False`` hides it. tqdm is imported on first use.

Examples
--------
>>> with progress_bar(total=3, description="sweeps", progress=False) as bar:
...     for _ in range(3):
...         bar.update(1)
>>> list(progress_iter(range(3), progress=False))
[0, 1, 2]
"""

from __future__ import annotations

import sys

__all__ = ["progress_bar", "progress_iter", "wants_progress"]


def wants_progress(progress) -> bool:
    """Resolve ``progress``: ``None`` means "only when stderr is a terminal"."""
    if progress is None:
        stream = sys.stderr
        return bool(getattr(stream, "isatty", None) and stream.isatty())
    if not isinstance(progress, bool):
        raise TypeError(f"progress must be True, False or None (on a terminal only); got {progress!r}")
    return progress


def progress_bar(*, total=None, description: str | None = None, unit: str = "it", progress=None, leave=False):
    """A tqdm bar (disabled unless :func:`wants_progress`); use it as a context manager."""
    from tqdm.auto import tqdm

    return tqdm(total=total, desc=description, unit=unit, disable=not wants_progress(progress),
                dynamic_ncols=True, leave=leave)


def progress_iter(iterable, *, total=None, description: str | None = None, unit: str = "it", progress=None,
                  leave=False):
    """Iterate over ``iterable`` with a bar when :func:`wants_progress`; the iterable itself otherwise."""
    if not wants_progress(progress):
        return iter(iterable)
    from tqdm.auto import tqdm

    return iter(tqdm(iterable, total=total, desc=description, unit=unit, dynamic_ncols=True, leave=leave))
