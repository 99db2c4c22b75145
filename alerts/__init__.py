"""alerts: takedown lists, evidence packs and (later) alert rules and notifiers."""
