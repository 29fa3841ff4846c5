"""The engine behind the duty-list site: load, validate, compute and export. It knows nothing of MkDocs."""
