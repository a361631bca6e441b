"""The local OpenAI-compatible API server (``python -m app serve``).

FastAPI + uvicorn in front of the one model thread (``app.workers.engine_thread``): uploads go
through the same file pipeline as the window (chunking at pauses, speed-ups, keywords). No Qt,
no MLX here. Modules: ``config`` (options and their checks), ``uploads`` (multipart streamed to a
private temp file), ``forms`` (OpenAI's fields and our extensions → a typed request), ``hub``
(engine events → asyncio, the bounded queue), ``render`` (json/text/srt/vtt/verbose_json and
server-sent events), ``api`` (the routes), ``runner`` (uvicorn on a bound socket).
"""
