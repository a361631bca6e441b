"""Model interface and the mlx-audio granite adapter.

MLX is imported lazily, and only on the model thread.
"""
