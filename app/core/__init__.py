"""Plain Python and numpy: transcripts, keywords, languages, segmentation, export. No Qt, no MLX."""
