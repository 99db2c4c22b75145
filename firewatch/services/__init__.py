"""The services layer: the one composition root.

Loaders build the scorer, watchlist and certificate registry from settings;
`build_pipeline`/`run_processing` wire every processing stage (score, capture, index,
alerts); `evidence` exports signed packs. The CLI, the web app, the scheduler's child
processes and the demo all call these instead of wiring components themselves.
"""
