"""``python -m toolkit``: the same as the ``nktk`` command."""

from .cli import main

main()
