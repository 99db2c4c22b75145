"""The review web app: regulators triage flags, platforms fetch their takedown lists,
investigators build cases and evidence packs, analysts search and follow trends.

`create_app(settings)` builds the FastAPI application from plain values; `firewatch
serve` runs it with uvicorn. Pages are server-rendered Chinese HTML (Jinja2, always
autoescaped) with one small script for keyboard triage; `/api/v1` offers the same
operations as JSON, documented at `/docs`.
"""

from firewatch.web.app import create_app
from firewatch.web.config import WebConfig

__all__ = ["WebConfig", "create_app"]
