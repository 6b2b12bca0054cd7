"""``python -m tsclust``: the command line."""

from .cli import main

raise SystemExit(main())
