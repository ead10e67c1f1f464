"""``python -m communitygov``: the command line."""

import sys

from communitygov.cli import main

sys.exit(main())
