"""Elasticsearch composable index templates (JSON, versioned), loaded by `firewatch.search.elasticsearch`."""
