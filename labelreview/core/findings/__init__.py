"""Findings: cleanlab's analysis of out-of-sample probabilities, dataset health, the result files."""
