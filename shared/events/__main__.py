"""``python -m shared.events [DIRECTORY]``: re-export the event JSON Schemas."""

import sys

from shared.events.schemas import main

main(sys.argv[1:])
