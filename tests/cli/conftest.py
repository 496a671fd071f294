"""Shared helper of the CLI tests: run ``stackelberg ARGV`` in-process and capture its output."""

import pytest

from stackelberg.cli import main


@pytest.fixture
def cli(capsys):
    """``cli(*argv) -> (exit code, stdout, stderr)``."""

    def run(*argv):
        code = main([str(a) for a in argv])
        out, err = capsys.readouterr()
        return code, out, err

    return run
