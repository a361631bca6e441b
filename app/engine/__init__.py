"""Model interface and the mlx-audio granite adapter. MLX is imported lazily, only on the model thread."""
