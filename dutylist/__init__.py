"""The engine behind the duty-list site: load, validate, compute and export. It knows nothing of MkDocs,
except `search`, which runs Material's own search indexer in a worker process."""
