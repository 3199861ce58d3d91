"""``python -m etl`` runs the ``pubdata`` command line."""

import sys

from etl.cli.main import main

sys.exit(main())
