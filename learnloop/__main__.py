"""``python -m learnloop`` runs the CLI."""

from learnloop.cli import main

main()
