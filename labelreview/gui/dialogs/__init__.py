"""Dialogs: result windows, the results-folder chooser, L's relabel dialog, and About with the third-party notices."""
