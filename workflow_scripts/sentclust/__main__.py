"""``python -m sentclust``: the command-line tool (see :mod:`sentclust.cli`)."""

import sys

from sentclust.cli import main

sys.exit(main())
