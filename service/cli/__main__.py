"""`python -m service.cli`: the `lmi` command, for scripts that start it with the running interpreter."""

import sys

from service.cli import main

sys.exit(main())
