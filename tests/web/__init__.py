"""Tests of the review web app (firewatch/web): store mixin, CLI, HTTP security and real-browser flows."""
