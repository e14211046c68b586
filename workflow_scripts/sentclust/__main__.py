"""``python -m sentclust``: the command-line tool (see :mod:`sentclust.assign.cli`)."""

import sys

from sentclust.assign.cli import main

sys.exit(main())
