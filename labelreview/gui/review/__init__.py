"""The review page: the suspects grid, its filters, the current image in detail, the run panel."""
