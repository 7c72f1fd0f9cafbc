"""The Health tab: dataset-health numbers and charts, the issue summary."""
