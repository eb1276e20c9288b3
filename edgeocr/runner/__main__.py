"""``python -m edgeocr.runner``: the Python runner (see ``edgeocr.runner.contract``)."""

import sys

from edgeocr.runner.python_runner import main

sys.exit(main())
