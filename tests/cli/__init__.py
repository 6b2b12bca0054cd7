"""Tests of the ``tsclust`` command line, one module per subcommand."""

FAST = ["--epochs", "2", "--finetune-epochs", "1", "-q"]
"""Options that keep ``tsclust fit`` on the tiny test stores to a few seconds."""
