"""Entry point of the packaged app: the same command line as ``labelreview``."""

from labelreview.cli import main

raise SystemExit(main())
