"""Finding codes and preflight triggers to words: a rendering concern, pure and I/O-free."""
