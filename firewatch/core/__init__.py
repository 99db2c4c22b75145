"""The core layer: domain model, labels, settings, exceptions and shared helpers.

Everything else may import from here; nothing here imports from the rest of the project.
"""
