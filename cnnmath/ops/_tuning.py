"""The convolution engine's tuning knobs, in one place (scikit-learn style: named, not scattered).

Each one was measured on this project's machines (one thread, a new batch every step, see
``make bench``); none changes a result beyond rounding, only the order of the work.
"""

CHUNK_BYTES = 1 << 21
"""About 2 MiB of im2col columns per chunk of samples, so the working set stays in cache (one
im2col matrix for a whole batch of 64 was 1.3-1.5x slower: page faults and cache misses;
0.5-4 MiB measured within 5%)."""

DENSE_SCATTER_MAX = 1 << 14
"""Entries of the 0/1 scatter matrix up to which col2im is one matrix product instead of KH*KW
shifted adds (the seeds' 5x5 examples: each numpy call's overhead dominates; 1.7-1.9x faster)."""
