"""Several workers on one PostgreSQL database (docs/operations.md, "Several workers").

``node.Node`` is this process's place among them: its leases (which sites' detection it owns, whether it leads the
cluster's once-only jobs), ``calls`` hands work for a site to the worker that owns it, ``bridge`` carries live
events, registry changes and the sender's doorbell between workers. On SQLite (one process) a ``Node`` owns every
site and leads, and nothing crosses a process.
"""
