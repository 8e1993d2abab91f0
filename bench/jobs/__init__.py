"""Jobs: long documents, streamed or as background jobs.

``python -m bench.jobs.jobs_bench [--quick]`` measures a long scan streamed
against the same as a job, the latency of short requests while a job runs, and
the Redis job store against the embedded one (Redis is started if installed).
It prints JSON; ``--quick`` (small counts) is the CI smoke run.
"""
