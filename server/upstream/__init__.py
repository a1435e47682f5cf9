"""Site box and cloud as one system: mirror down, forward up (alarms first), commands down (docs/operations.md)."""
