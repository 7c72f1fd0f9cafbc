"""The Rounds tab and the workflows that train extra models: calibration, retrain and compare."""
