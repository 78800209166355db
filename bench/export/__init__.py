"""Contact export benchmark (issue 6 §5): `python -m bench.export --buyers 100000`.

Seeds the demo marketplace into a database of its own (PostgreSQL `bench_export` by default),
runs the Sendsay emulator as a subprocess (paid plan), maps every catalogue field, then measures
in fresh child processes: a full first export, an incremental one after 1 % of the buyers
changed, and one with nothing changed; wall time and peak RSS, medians of `--repeat` rounds.
"""
