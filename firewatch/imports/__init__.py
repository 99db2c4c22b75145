"""Reading files people hand over: reference lists (spot-check failures, certificate
registries) and lead files (platforms' data reports), on top of one table reader.

`tables`: XLSX/CSV/GBK/title rows/aliased Chinese headers; `references`: watchlists and
certificate registries for scoring; `listings`: platform report rows as listings with provenance.
"""

from firewatch.imports.references import (ImportResult, certificate_number, certificate_status, clean_name,
                                          labelled_set_watchlist, parse_date, read_certificates_file, read_watchlist_file,
                                          registry_from_store, watchlist_from_sources)
from firewatch.imports.tables import decode_text, find_header, header_key, map_header, read_mapped, read_tables

__all__ = ["ImportResult", "certificate_number", "certificate_status", "clean_name", "decode_text", "find_header",
           "header_key", "labelled_set_watchlist", "map_header", "parse_date", "read_certificates_file", "read_mapped",
           "read_tables", "read_watchlist_file", "registry_from_store", "watchlist_from_sources"]
