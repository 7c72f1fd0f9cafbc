"""``python -m labelreview``."""

from labelreview.cli import main

raise SystemExit(main())
