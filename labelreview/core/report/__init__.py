"""Report: health charts and the offline HTML report."""
