"""``python -m immunocare``: the command line."""

from immunocare.cli import main

main()
