"""Local detection: pure functions over numpy arrays plus explicit per-channel state."""
