"""Schema migrations (tortoise). Each one is frozen: it imports nothing of the live code."""
