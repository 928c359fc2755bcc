"""The join link as a QR code, an SVG drawn on the server (no script, no image library)."""

import io

import segno


def svg(url: str) -> bytes:
    out = io.BytesIO()
    segno.make(url, error="m").save(out, kind="svg", scale=8, border=2, dark="#111", light="#fff",
                                    xmldecl=False, svgns=True, title="QR")
    return out.getvalue()
