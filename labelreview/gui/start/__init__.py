"""The start page: what opens a dataset."""
