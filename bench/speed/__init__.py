"""Speed: throughput, latency, CPU and memory of the service and its engine.

The suite (``python -m bench.speed.suite [--quick] [--only cold,peers,...]``)
measures every figure as a ratio in one run: cold start, the service against its
peers, the in-process engine loop (``engine_loop``), settings one at a time and
overload; ``python -m bench.speed.report`` renders its result as the tables of
bench/RESULTS.md. Beside it: ``run`` (service against engine loop, quick),
``soak`` (many requests, RSS trend), ``profile_engine`` (where the engine's time
goes), ``model_sets`` (model sets in one process), ``gpu`` / ``gpu_image`` (the
GPU backend, in this venv or in the image; scripts/gpu_check.sh) and
``quantize`` (the int8 prototype, run in bench/.venv-quant). ``load``,
``procfs`` and ``pages`` are the closed/open-loop drivers, CPU and RSS readings
and the generated A4 pages they share. Results go to bench/results/.
"""
