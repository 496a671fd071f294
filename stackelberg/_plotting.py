"""matplotlib without a display, for every floor of the package: one ``pyplot()`` and one ``save_figure()``.

matplotlib is imported on first use, so importing :mod:`stackelberg` never loads it.

Examples
--------
>>> plt = pyplot()
>>> fig, ax = plt.subplots()
>>> import os, tempfile
>>> path = save_figure(fig, os.path.join(tempfile.mkdtemp(), "empty.png"))
>>> path.endswith("empty.png")
True
"""

from __future__ import annotations

__all__ = ["pyplot", "save_figure"]


def pyplot():
    """``matplotlib.pyplot`` on the Agg backend (no display needed), imported on first use."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def save_figure(fig, path, *, dpi: int = 120) -> str:
    """Lay out, save and close ``fig``; return the path as a string."""
    fig.tight_layout()
    fig.savefig(path, dpi=dpi)
    pyplot().close(fig)
    return str(path)
