"""Index definitions read as package data: `sqlite_fts.sql` (the SQLite FTS5 schema) and
`elasticsearch/*.json` (versioned composable index templates for listings, snapshots,
evidence and decisions; `{prefix}` in them is replaced by settings search.index_prefix).
"""
