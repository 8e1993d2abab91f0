"""The benchmark suite: every figure a ratio measured in one run, same machine and files.

Run it with ``python -m bench.speed.suite [--quick] [--only SECTIONS]`` (options and
sections: ``__main__``). ``context`` holds one run's files, truths, servers and
results; each section is one module with a ``measure(suite)``: ``cold`` (P4),
``peers`` (P1, P1c, P5, latency), ``engine`` (P1b, detector policies), ``levers``
(settings one at a time) and ``overload`` (P7); ``figures`` pools runs into the
reported numbers. Results: bench/results/suite-*.json, rendered by
``python -m bench.speed.report``.
"""
