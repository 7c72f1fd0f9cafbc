"""The Qt-free engine: datasets, models, cross-validated scoring, cleanlab analysis."""
