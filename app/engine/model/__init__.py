"""The model's stages, called forward only by ``app.engine.runner``.

``granite`` (front end, encoder, prompt embedding, one decode step, the argmax rule) is the
bottom; ``prefill``, ``decode``, ``prefix_cache``, ``speculative``, ``batch`` and ``ctc`` build
on it; ``prompt`` is plain Python. No module here imports ``app.engine.runner``.
"""
