"""The PostgreSQL backend: the same storage functions on a psycopg connection (connection.py), one writer per
process beside a pool of readers (database.py), and its own migrations kept in step with SQLite's (migrations.py).
"""
