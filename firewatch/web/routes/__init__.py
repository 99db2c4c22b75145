"""Routers of the web app, one module per role or concern (auth, review, platform,
investigator, analyst, files, api)."""
