"""A fast PNG encoder for the widget frames (numpy filtering + zlib level 1)."""

from __future__ import annotations

import struct
import zlib

import numpy as np

__all__ = ["encode_png"]


def encode_png(rgb: np.ndarray, rows: np.ndarray | None = None) -> bytes:
    """rgb: (height, width, 3) uint8 -> PNG bytes (8-bit RGB, every row with the "Sub" filter, zlib level 1).

    Two to three times faster than Pillow's encoder on these frames: Sub (each byte minus the one
    3 bytes to its left) turns flat cells into runs of zeros, which deflate at level 1 packs quickly.
    ``rows``: an optional reusable (height, 1 + 3·width) uint8 work buffer.
    """
    H, W, _ = rgb.shape
    px = rgb.reshape(H, 3 * W)
    if rows is None or rows.shape != (H, 1 + 3 * W):
        rows = np.empty((H, 1 + 3 * W), np.uint8)
    rows[:, 0] = 1  # filter type Sub
    rows[:, 1:4] = px[:, :3]
    np.subtract(px[:, 3:], px[:, :-3], out=rows[:, 4:])

    def chunk(tag: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + tag + body + struct.pack(">I", zlib.crc32(tag + body))

    header = struct.pack(">IIBBBBB", W, H, 8, 2, 0, 0, 0)  # 8 bits, RGB, deflate, adaptive, no interlace
    body = zlib.compress(rows, 1)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", body) + chunk(b"IEND", b"")
