"""``python -m negotiation_model``: the same as the ``negotiation-model`` command."""

import sys

from .cli import main

sys.exit(main())
