"""Check-in QR codes as inline SVG, drawn on the server by segno (pure Python): no JavaScript
library, no CDN, no image service."""

from __future__ import annotations

import segno


def svg(data: str, *, scale: int = 5) -> str:
    """An accessible inline SVG of a QR code that encodes `data` (medium error correction)."""
    code = segno.make(data, error="m", micro=False)
    return str(
        code.svg_inline(
            scale=scale,
            border=2,
            dark="#000",
            light="#fff",
            title="Check-in QR code",
            svgclass="qr",
            lineclass=None,
            omitsize=False,
        )
    )
