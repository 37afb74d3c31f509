"""``python -m negotiation_model``: the same as the ``negotiation-model`` command."""

import sys

from .cli import main

if __name__ == "__main__":
    sys.exit(main())
