"""Entry point of the packaged app: the same command line as ``labelreview``."""

import multiprocessing

multiprocessing.freeze_support()  # worker processes (image measurements) start this executable again

from labelreview.cli import main  # noqa: E402

raise SystemExit(main())
