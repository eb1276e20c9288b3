"""Drawing pieces of the synthesizer: colours, backgrounds, text masks, homographies,
compositing and camera-like degradations.

Text is rendered once as an alpha mask in its own frame together with the quadrilateral
around its ink; every geometric change (rotation, perspective, placement) is a 3x3
homography applied to both the mask and that quadrilateral, so the ground-truth polygon
follows the pixels exactly. All randomness comes from the caller's generator.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFont

# Rec. 601 luma weights: what "light" and "dark" mean for readability.
_LUMA = np.array([0.299, 0.587, 0.114])
# Background and text luminance bands; any colour from one band stays >= 80 luma levels
# away from any colour of the opposite band, so text is always readable.
LIGHT = (165.0, 255.0)
DARK = (0.0, 85.0)


def luma(rgb: np.ndarray) -> float:
    return float(np.asarray(rgb, dtype=np.float64) @ _LUMA)


def random_color(rng: np.random.Generator, band: tuple[float, float]) -> np.ndarray:
    """A colour with luminance in ``band``, mostly muted (saturation skewed low, as in print)."""
    while True:
        hue = rng.uniform(0, 255, size=3)
        rgb = rng.uniform(*band) + rng.random() ** 2 * (hue - luma(hue))
        if (rgb >= 0).all() and (rgb <= 255).all() and band[0] <= luma(rgb) <= band[1]:
            return rgb


def background(
    rng: np.random.Generator, width: int, height: int, band: tuple[float, float], kinds: tuple[str, ...]
) -> np.ndarray:
    """A ``height x width x 3`` float RGB background of one of ``kinds``: flat, gradient or noise
    texture (the training style), ruled paper or tiles (held out of training: thin regular lines
    of another colour, and a grid of bricks with mortar joints)."""
    kind = kinds[int(rng.integers(len(kinds)))]
    base = random_color(rng, band)
    img = np.empty((height, width, 3), np.float64)
    img[:] = base
    if kind == "gradient":
        other = random_color(rng, band)
        angle = rng.uniform(0, 2 * np.pi)
        yy, xx = np.mgrid[0:height, 0:width]
        t = xx * np.cos(angle) + yy * np.sin(angle)
        t = (t - t.min()) / max(float(t.max() - t.min()), 1.0)
        img = base + t[..., None] * (other - base)
    elif kind == "texture":
        cells = int(rng.integers(3, 17))
        blobs = rng.uniform(-1, 1, size=(cells, cells, 3)) * rng.uniform(8, 22)
        img += cv2.resize(blobs, (width, height), interpolation=cv2.INTER_CUBIC)
        img += rng.uniform(2, 6) * rng.standard_normal(size=(height, width, 1), dtype=np.float32)
    elif kind == "ruled":
        other = random_color(rng, band)
        pitch, thick = int(rng.integers(10, 28)), int(rng.integers(1, 3))
        offset = int(rng.integers(pitch))
        rows = (np.arange(height) + offset) % pitch < thick
        img[rows] = other
        if rng.random() < 0.5:  # a margin line
            x = int(rng.integers(width // 10 + 1, width // 4 + 2))
            img[:, x:x + thick] = random_color(rng, band)
    elif kind == "tiles":
        mortar = random_color(rng, band)
        tile_h, tile_w = int(rng.integers(12, 40)), int(rng.integers(24, 80))
        joint = int(rng.integers(1, 4))
        shade = rng.uniform(-14, 14, size=(height // tile_h + 2, width // tile_w + 3, 3))
        yy, xx = np.mgrid[0:height, 0:width]
        row = yy // tile_h
        shifted = xx + (row % 2) * (tile_w // 2)  # every other row offset by half a brick
        img += shade[row, shifted // tile_w]
        img[(yy % tile_h < joint) | (shifted % tile_w < joint)] = mortar
    elif kind != "flat":
        raise ValueError(f"unknown background kind {kind!r}")
    # keep the background inside its band so contrast with the text survives the texture
    lo, hi = band
    lum = img @ _LUMA
    img += (np.clip(lum, lo, hi) - lum)[..., None]
    return np.clip(img, 0, 255)


@dataclass(frozen=True)
class TextMask:
    """A rendered line: 8-bit alpha in its own frame and the quad (tl, tr, br, bl) around its ink."""

    alpha: np.ndarray
    quad: np.ndarray  # (4, 2) float64

    @property
    def ink_height(self) -> float:
        return float(self.quad[3, 1] - self.quad[0, 1])


def render_text(text: str, font: ImageFont.FreeTypeFont, pad: float) -> TextMask:
    """Rasterise ``text``; the quad is the ink's bounding box grown by ``pad`` x its height."""
    x0, y0, x1, y1 = font.getbbox(text)
    margin = int(font.size * (pad + 0.5)) + 2
    canvas = Image.new("L", (x1 - x0 + 2 * margin, y1 - y0 + 2 * margin), 0)
    ImageDraw.Draw(canvas).text((margin - x0, margin - y0), text, font=font, fill=255)
    alpha = np.asarray(canvas)
    ys, xs = np.nonzero(alpha > 0)
    ix0, iy0, ix1, iy1 = xs.min(), ys.min(), xs.max() + 1, ys.max() + 1
    grow = pad * (iy1 - iy0)
    quad = np.array([[ix0, iy0], [ix1, iy0], [ix1, iy1], [ix0, iy1]], np.float64)
    quad += np.array([[-grow, -grow], [grow, -grow], [grow, grow], [-grow, grow]])
    return TextMask(alpha=alpha, quad=quad)


def translation(dx: float, dy: float) -> np.ndarray:
    return np.array([[1, 0, dx], [0, 1, dy], [0, 0, 1]], np.float64)


def rotation(degrees: float, center: np.ndarray) -> np.ndarray:
    """Rotation by ``degrees`` (counter-clockwise on screen) about ``center``."""
    m = cv2.getRotationMatrix2D((float(center[0]), float(center[1])), degrees, 1.0)
    return np.vstack([m, [0, 0, 1]])


def corner_jitter(rng: np.random.Generator, quad: np.ndarray, max_shift: float) -> np.ndarray:
    """A perspective homography moving each corner of ``quad`` by up to ``max_shift`` px."""
    moved = quad + rng.uniform(-max_shift, max_shift, size=(4, 2))
    return cv2.getPerspectiveTransform(quad.astype(np.float32), moved.astype(np.float32)).astype(np.float64)


def transform(h: np.ndarray, points: np.ndarray) -> np.ndarray:
    """Apply homography ``h`` to ``(N, 2)`` points."""
    return cv2.perspectiveTransform(points.reshape(-1, 1, 2).astype(np.float64), h).reshape(-1, 2)


def paint(image: np.ndarray, mask: TextMask, h: np.ndarray, color: np.ndarray) -> None:
    """Warp ``mask`` by ``h`` into ``image`` (float RGB, in place) and blend ``color`` through it.

    Only the rectangle the warped mask covers is touched, which keeps big scenes fast.
    """
    height, width = image.shape[:2]
    mh, mw = mask.alpha.shape
    frame = transform(h, np.array([[0, 0], [mw, 0], [mw, mh], [0, mh]], np.float64))
    x0, y0 = np.maximum(np.floor(frame.min(axis=0)).astype(int) - 1, 0)
    x1, y1 = np.minimum(np.ceil(frame.max(axis=0)).astype(int) + 1, [width, height])
    if x1 <= x0 or y1 <= y0:
        return
    alpha = cv2.warpPerspective(mask.alpha, translation(-x0, -y0) @ h, (int(x1 - x0), int(y1 - y0)),
                                flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT, borderValue=0)
    a = alpha.astype(np.float64)[..., None] / 255.0
    roi = image[y0:y1, x0:x1]
    roi *= 1.0 - a
    roi += a * color


def blur(image: np.ndarray, sigma: float) -> np.ndarray:
    return cv2.GaussianBlur(image, (0, 0), sigmaX=sigma) if sigma > 0 else image


def add_noise(rng: np.random.Generator, image: np.ndarray, sigma: float) -> np.ndarray:
    return image + sigma * rng.standard_normal(size=image.shape, dtype=np.float32) if sigma > 0 else image


def encode_jpeg(image: np.ndarray, quality: int) -> bytes:
    """Float RGB -> JPEG bytes (libjpeg through OpenCV: same bytes for the same pixels)."""
    bgr = cv2.cvtColor(np.clip(np.rint(image), 0, 255).astype(np.uint8), cv2.COLOR_RGB2BGR)
    ok, buf = cv2.imencode(".jpg", bgr, [cv2.IMWRITE_JPEG_QUALITY, int(quality)])
    if not ok:
        raise RuntimeError("JPEG encoding failed")
    return buf.tobytes()
