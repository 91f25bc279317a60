"""``python -m tailrun.demo`` runs the demo."""

import sys

from tailrun.demo.run import main

sys.exit(main())
