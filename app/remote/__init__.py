"""Remote engines: any OpenAI-compatible transcription server (another Granite Dictate, or vLLM
serving a granite speech model) over httpx. Plain Python: no MLX, no Qt."""
