"""The engine: models behind small protocols, the scheduler and the model-set pool.

The only room that imports the inference backends (onnxruntime, paddle, paddleocr,
paddlex), lazily, when a set loads. Everything else talks to OCR through the plain
types of ``app.engine.types`` and the scheduler's ``run``.
"""
