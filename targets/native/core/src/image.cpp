#include <stdexcept>
#include <string>

#include "edgeocr/image.h"

namespace edgeocr {

Image rotate180(const Image& src) {
  Image dst(src.width, src.height);
  for (int y = 0; y < src.height; ++y) {
    const uint8_t* s = src.row(src.height - 1 - y);
    uint8_t* d = dst.row(y);
    for (int x = 0; x < src.width; ++x)
      for (int c = 0; c < 3; ++c) d[x * 3 + c] = s[(src.width - 1 - x) * 3 + c];
  }
  return dst;
}

Image rotate90_ccw(const Image& src) {
  Image dst(src.height, src.width);  // out[i][j] = in[j][W-1-i]
  for (int i = 0; i < dst.height; ++i) {
    uint8_t* d = dst.row(i);
    for (int j = 0; j < dst.width; ++j) {
      const uint8_t* s = src.row(j) + static_cast<size_t>(src.width - 1 - i) * 3;
      for (int c = 0; c < 3; ++c) d[j * 3 + c] = s[c];
    }
  }
  return dst;
}

Image bgr_from_rgb(const uint8_t* data, int width, int height, int channels) {
  if (channels != 1 && channels != 3 && channels != 4)
    throw std::invalid_argument("unsupported channel count " + std::to_string(channels));
  Image dst(width, height);
  const size_t n = static_cast<size_t>(width) * height;
  for (size_t i = 0; i < n; ++i) {
    const uint8_t* s = data + i * channels;
    uint8_t* d = dst.pixels.data() + i * 3;
    if (channels == 1) {
      d[0] = d[1] = d[2] = s[0];
    } else {
      d[0] = s[2];
      d[1] = s[1];
      d[2] = s[0];
    }
  }
  return dst;
}

}  // namespace edgeocr
