"""Benchmark of the journey detectors: `python -m bench.detectors --buyers 100000`.

Seeds the demo marketplace (`demo_seed`, 2,000 buyers per unit of scale) into a dedicated
database once (SQLite `var/bench_detectors.sqlite3` by default, or PostgreSQL
`bench_detectors` with `--postgres`), moves the clock to the demo's "now" and times every
detector: finding its candidates alone, a first run (find + emit + log) and a second run right
after (nothing new: a few queries). Each repetition starts from the same state (the rows a run
wrote are deleted); medians of `--repeat` runs are printed as a Markdown table.
"""
