"""Runnable benchmarks, grouped by what they measure.

``speed`` (throughput, latency, memory, the suite), ``quality`` (layout and
reading-order evaluation, CER of the answers), ``peers`` (the services the
suite compares against), ``formats`` (output formats and PDFs) and ``jobs``
(long documents). Each is run with ``python -m bench.<group>.<module>``;
results and how they were taken: bench/RESULTS.md. The helpers the benchmarks
share with the tests (corpus, live server, CER, layout set) live in
``tests.support``; tests never import ``bench``.
"""
