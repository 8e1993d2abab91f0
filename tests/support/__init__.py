"""What the tests share: fakes, checks and the helpers the benchmarks reuse.

The corpus lookup (``corpus``), a live ``python -m app`` on a free port
(``server``), a throwaway Redis (``redis_server``), corpus scans as one PDF
(``scans``), the character error rate (``cer``), the layout evaluation set drawn
with known text (``layout_set`` and the ``layout_*`` modules it is built from)
and its reading-order yardstick (``layout_match``, ``layout_score``), fake
engines (``fakes``) and format checks (``formats_checks``). The benchmarks in
``bench/`` reuse these; the tests never depend on the benchmarks.
"""
