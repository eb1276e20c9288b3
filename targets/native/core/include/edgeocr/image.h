// An 8-bit BGR image, the only pixel format the OCR core works on (as PaddleOCR does:
// OpenCV reads BGR and the models were trained on it).
#pragma once

#include <cstdint>
#include <vector>

namespace edgeocr {

struct Image {
  int width = 0;
  int height = 0;
  std::vector<uint8_t> pixels;  // row-major, 3 bytes (B, G, R) per pixel

  Image() = default;
  Image(int w, int h) : width(w), height(h), pixels(static_cast<size_t>(w) * h * 3, 0) {}
  bool empty() const { return width <= 0 || height <= 0; }
  uint8_t* row(int y) { return pixels.data() + static_cast<size_t>(y) * width * 3; }
  const uint8_t* row(int y) const { return pixels.data() + static_cast<size_t>(y) * width * 3; }
};

// cv2.rotate(ROTATE_180): upside-down crops turned right way up.
Image rotate180(const Image& src);
// np.rot90 (counter-clockwise): vertical text turned to read left to right.
Image rotate90_ccw(const Image& src);
// From interleaved RGB or RGBA (decoders, Android bitmaps) to BGR.
Image bgr_from_rgb(const uint8_t* data, int width, int height, int channels);

}  // namespace edgeocr
