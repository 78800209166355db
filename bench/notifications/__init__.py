"""End-to-end benchmark of the notification engine against django-post-office (issue 4 §8).

`.venv/bin/python -m bench.notifications --messages 3000 --path both --latency-ms 0 50
--modes drain,live --compare-post-office --rate 100 --fanout 10000 --queries --memory 100000
--repeat 3`; see README.md in this folder. Numbers are recorded in docs/benchmarks.md.
"""
