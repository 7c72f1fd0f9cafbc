"""Review: the curator's session, labels store and audit log, undoable decisions, rounds, calibration and compare."""
