"""Dialogs: result windows and the results-folder chooser."""
