"""Live fan-out to open PWAs (Server-Sent Events)."""
