"""``python -m beamdump.cli``: the same as the ``beamdump`` command."""

from . import main

main()
