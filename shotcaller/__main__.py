"""``python -m shotcaller`` runs the command line."""

import sys

from shotcaller.cli import main

sys.exit(main())
