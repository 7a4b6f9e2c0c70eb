"""Benchmarks at scale (`make bench`, `python -m bench --claims N`).

The orchestrator (``bench.__main__``) never imports Django itself: each step that needs
the project (migrate, generate, targets, sweep, intake) runs as ``python -m bench.<step>``
in a child process with the benchmark's environment, so that one run can use several
databases (N claims, and 10,000 for the sweep ratio) and every step has a time limit.
"""
