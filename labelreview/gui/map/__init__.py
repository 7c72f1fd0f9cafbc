"""The Map tab: every image placed by its embedding."""
