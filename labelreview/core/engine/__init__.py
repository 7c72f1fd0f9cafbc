"""Engine: classifiers, the backbone, K-fold cross-validation and the scoring pipeline."""
