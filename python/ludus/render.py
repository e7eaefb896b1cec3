"""Images of environments that draw themselves (``E.render_image``, SVG): converted to
PNG by ``rsvg-convert`` (Debian's librsvg2-bin, as ``ludus render`` does) in a private
empty folder, then decoded here without any imaging library."""

import os
import shutil
import struct
import subprocess
import tempfile
import zlib

import numpy as np

from .errors import SetupError


def svg_to_rgb(svg):
    """An ``(H, W, 3)`` uint8 array of an SVG document."""
    converter = shutil.which("rsvg-convert")
    if converter is None:
        raise SetupError("rgb_array rendering needs rsvg-convert (Debian: apt-get install librsvg2-bin)")
    with tempfile.TemporaryDirectory() as folder:
        source = os.path.join(folder, "image.svg")
        with open(source, "w", encoding="utf-8") as handle:
            handle.write(svg)
        png = subprocess.run([converter, "-f", "png", source], cwd=folder, capture_output=True, check=True, timeout=30).stdout
    return decode_png(png)


def decode_png(data):
    """Decodes an 8-bit, non-interlaced grey, RGB, grey-alpha or RGBA PNG into RGB."""
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("not a PNG")
    position, chunks, header = 8, [], None
    while position < len(data):
        (length,) = struct.unpack(">I", data[position : position + 4])
        kind = data[position + 4 : position + 8]
        body = data[position + 8 : position + 8 + length]
        position += 12 + length
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            chunks.append(body)
        elif kind == b"IEND":
            break
    width, height, depth, color, _, _, interlace = header
    channels = {0: 1, 2: 3, 4: 2, 6: 4}.get(color)
    if depth != 8 or channels is None or interlace:
        raise ValueError("only 8-bit non-interlaced grey/RGB(A) PNGs are decoded")
    raw = zlib.decompress(b"".join(chunks))
    stride = width * channels
    image = np.zeros((height, stride), dtype=np.uint8)
    previous = np.zeros(stride, dtype=np.int32)
    for y in range(height):
        start = y * (stride + 1)
        kind = raw[start]
        line = np.frombuffer(raw[start + 1 : start + 1 + stride], dtype=np.uint8).astype(np.int32)
        if kind == 0:
            out = line
        elif kind == 2:
            out = (line + previous) & 0xFF
        else:
            out = np.zeros(stride, dtype=np.int32)
            for x in range(stride):
                left = out[x - channels] if x >= channels else 0
                up = previous[x]
                if kind == 1:
                    out[x] = (line[x] + left) & 0xFF
                elif kind == 3:
                    out[x] = (line[x] + ((left + up) >> 1)) & 0xFF
                else:
                    corner = previous[x - channels] if x >= channels else 0
                    p = left + up - corner
                    pa, pb, pc = abs(p - left), abs(p - up), abs(p - corner)
                    predictor = left if pa <= pb and pa <= pc else (up if pb <= pc else corner)
                    out[x] = (line[x] + predictor) & 0xFF
        image[y] = out
        previous = out
    pixels = image.reshape(height, width, channels)
    if channels in (1, 2):
        return np.repeat(pixels[:, :, :1], 3, axis=2)
    if channels == 4:
        alpha = pixels[:, :, 3:4].astype(np.float32) / 255.0
        return (pixels[:, :, :3].astype(np.float32) * alpha + 255.0 * (1 - alpha)).astype(np.uint8)
    return pixels


def render(batch, mode, env=0):
    """What ``render()`` returns for a render mode: the ANSI text (``ansi``), printed
    (``human``: None), an RGB array (``rgb_array``), or None without a mode."""
    if mode is None:
        return None
    if mode == "rgb_array":
        return svg_to_rgb(batch.render(env, image=True))
    text = batch.render(env)
    if mode == "human":
        print(text)
        return None
    return text
