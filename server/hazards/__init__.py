"""Hazards (隐患): the closed loop found → assigned → rectified → verified → closed."""
