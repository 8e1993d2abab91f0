"""Quality: how right the answers are, and in what order the text comes.

``python -m bench.quality.layout_eval [--quick]`` serves the layout evaluation
set (pages of known text, tests/support/layout_set.py) and the corpus through
``python -m app`` and scores CER in reading order, order-free CER and Kendall tau
(tests/support/layout_score.py), plus the layout stage's own time
(``layout_timing``); ``layout_report`` renders a result as the Markdown of
bench/RESULTS.md, ``layout_model_exp`` compares a layout model's order (an
experiment, its own venv). ``answers`` scores the answers a speed run collected
(CER per file, pooled, stability) for the suite and the model-set run.
"""
