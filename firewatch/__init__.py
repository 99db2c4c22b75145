"""firewatch: watch online marketplaces for counterfeit or uncertified fire-safety products.

The package holds the settings loader, the domain model, the store of record, the
processing pipeline and the command-line interface. Crawling, classification, alerts
and the demo market live in sibling packages (`crawler`, `classifiers`, `alerts`,
`demo_market`).
"""

__version__ = "0.1.0"
