"""Side-by-side columns of text: pure layout arithmetic (no Qt)."""
