"""Asynchronous jobs: a store (SQLite and files, or Redis) and the runner that reads them."""
