"""`python -m firewatch` runs the command line (used to start crawls in child processes)."""

from firewatch.cli import main

main()
