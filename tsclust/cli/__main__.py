"""``python -m tsclust.cli``: the same as the ``tsclust`` command."""

import sys

from . import main

sys.exit(main())
