"""One exception family for the whole package.

Every error the package raises on purpose derives from :class:`StackelbergError`, except argument errors,
which are plain ``ValueError`` / ``TypeError`` naming the argument (Python's convention). Each class below also
derives from the built-in exception a caller would naturally catch, so ``except ValueError`` keeps working.

- :class:`FormatError` (a ``ValueError``): a file or document that does not follow its format;
  :class:`NfgFormatError`, :class:`JsonFormatError`, :class:`MarkovFormatError` and :class:`StoreFormatError`
  name the format.
- :class:`IterationLimitError` (a ``RuntimeError``): an iterative method used up its budget (pivots, policy
  improvements, sweeps) before it met its stopping rule; ``budget`` names the argument that raises it.
- :class:`ProblemTooLargeError` (a ``ValueError``): the work a request implies was estimated up front and is above
  a limit the caller can raise; ``limit`` names that argument.
- :class:`CertificationError` (a ``RuntimeError``): a solver produced an answer that failed its own certificate:
  a bug, reported rather than returned.

The command line turns every ``StackelbergError`` (and argument error) into one line on stderr and exit code 2.

Examples
--------
>>> from stackelberg.errors import IterationLimitError, StackelbergError
>>> error = IterationLimitError("policy iteration did not stabilise", budget="max_iterations")
>>> isinstance(error, StackelbergError), isinstance(error, RuntimeError), error.budget
(True, True, 'max_iterations')
"""

from __future__ import annotations

__all__ = [
    "StackelbergError",
    "FormatError",
    "NfgFormatError",
    "JsonFormatError",
    "MarkovFormatError",
    "StoreFormatError",
    "IterationLimitError",
    "ProblemTooLargeError",
    "CertificationError",
    "MissingExtraError",
]


class StackelbergError(Exception):
    """Base class of every error the package raises on purpose (argument errors aside)."""


class FormatError(StackelbergError, ValueError):
    """A file or document that does not follow its format."""


class NfgFormatError(FormatError):
    """A malformed ``.nfg`` file; ``line`` and ``token`` locate the problem."""

    def __init__(self, message: str, line: int, token: str):
        super().__init__(f"line {line}: {message}; got {token}")
        self.line = line
        self.token = token


class JsonFormatError(FormatError):
    """A JSON document that does not follow the game schema."""


class MarkovFormatError(FormatError):
    """A ``.npz`` file that is not a valid stackelberg Markov-game file."""


class StoreFormatError(FormatError):
    """A result store (SQLite file) that is corrupt, truncated, foreign or not a file."""


class IterationLimitError(StackelbergError, RuntimeError):
    """An iterative method ran out of its budget; ``budget`` names the argument that sets it."""

    def __init__(self, message: str, *, budget: str | None = None):
        if budget is not None and budget not in message:
            message = f"{message} (raise {budget} to allow more)"
        super().__init__(message)
        self.budget = budget


class ProblemTooLargeError(StackelbergError, ValueError):
    """The estimated work of a request is above a limit; ``limit`` names the argument that raises it."""

    def __init__(self, message: str, *, limit: str | None = None):
        if limit is not None and limit not in message:
            message = f"{message} (raise {limit} to allow it)"
        super().__init__(message)
        self.limit = limit


class CertificationError(StackelbergError, RuntimeError):
    """A solver produced a profile whose certificate fails (regret above the tolerance): a bug, never silent."""


class MissingExtraError(StackelbergError, ImportError):
    """An optional part of the package was used without its extra installed; the message names the pip command."""

    def __init__(self, extra: str, module: str):
        super().__init__(
            f"{module} needs the optional dependencies of the '{extra}' extra: pip install \"stackelberg[{extra}]\""
        )
        self.extra = extra
