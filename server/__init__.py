"""andian server: HTTP API, storage, ingest, detection, alarms, hazards, notifications, reports."""

__version__ = "0.1.0"
