"""The offline sync protocol: types, hybrid logical clock, merge rules (built in the sync issue)."""
