"""demo_market: a faithful local replica of four marketplaces for the demo and the tests."""
