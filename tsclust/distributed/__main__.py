"""``python -m tsclust.distributed``: the per-rank entry point that torchrun starts."""

import sys

from ..cli.torchrun import main

sys.exit(main())
