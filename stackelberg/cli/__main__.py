"""``python -m stackelberg.cli``: the same as the ``stackelberg`` console script."""

import sys

from . import main

sys.exit(main())
