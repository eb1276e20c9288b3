#include "edgeocr/preprocess.h"

#include <algorithm>
#include <cmath>

namespace edgeocr {

namespace {
// ImageNet statistics; PaddleOCR applies them to the BGR image as read.
constexpr float kDetMean[3] = {0.485f, 0.456f, 0.406f};
constexpr float kDetStd[3] = {0.229f, 0.224f, 0.225f};
constexpr int kCoefBits = 11;  // OpenCV INTER_RESIZE_COEF_BITS
constexpr int kCoefScale = 1 << kCoefBits;

// Per output position along one axis: the first source sample (-1 before the first pixel
// when upscaling) and the fixed-point weights of it and of its right/lower neighbour.
struct Taps {
  std::vector<int> index;
  std::vector<int> weight0;
  std::vector<int> weight1;
};

// cv::resize's INTER_LINEAR taps: centre-aligned position in float, floored, 11-bit
// weights. OpenCV pins horizontal positions beyond the edge to the edge pixel (weights 2048
// and 0) but not vertical ones: it keeps sy = -1 or height - 1 with the fractional weights,
// reads the edge row twice, and the two products round separately in the vertical pass.
// Unpinned positions with clamped reads give both: horizontally the sum is pixel * 2048
// either way.
Taps axis_taps(int src_size, int dst_size) {
  Taps t;
  t.index.resize(dst_size);
  t.weight0.resize(dst_size);
  t.weight1.resize(dst_size);
  const double scale = 1.0 / (static_cast<double>(dst_size) / src_size);
  for (int d = 0; d < dst_size; ++d) {
    float f = static_cast<float>((d + 0.5) * scale - 0.5);
    const int s = static_cast<int>(std::floor(f));
    f -= static_cast<float>(s);
    t.index[d] = s;
    t.weight0[d] = static_cast<int>(std::lrint((1.0f - f) * kCoefScale));
    t.weight1[d] = static_cast<int>(std::lrint(f * kCoefScale));
  }
  return t;
}
}  // namespace

std::pair<int, int> det_target_size(int height, int width, int limit_side_len, bool limit_max) {
  double ratio = 1.0;
  if (limit_max) {
    const int long_side = std::max(height, width);
    if (long_side > limit_side_len) ratio = static_cast<double>(limit_side_len) / long_side;
  } else {
    const int short_side = std::min(height, width);
    if (short_side < limit_side_len) ratio = static_cast<double>(limit_side_len) / short_side;
  }
  // truncate, then round half to even to the stride: PaddleOCR's int(round(int(h*r)/32)*32)
  auto side = [&](int n) {
    const double scaled = static_cast<double>(static_cast<int64_t>(n * ratio));
    const int rounded = static_cast<int>(std::nearbyint(scaled / kDetStride)) * kDetStride;
    return std::max(rounded, kDetStride);
  };
  return {side(height), side(width)};
}

Image resize_bilinear(const Image& src, int width, int height) {
  Image dst(width, height);
  if (src.width == width && src.height == height) {
    dst.pixels = src.pixels;
    return dst;
  }
  const Taps xs = axis_taps(src.width, width);
  const Taps ys = axis_taps(src.height, height);
  auto clamp_x = [&](int x) { return std::clamp(x, 0, src.width - 1); };
  auto clamp_y = [&](int y) { return std::clamp(y, 0, src.height - 1); };
  std::vector<int> row0(static_cast<size_t>(width) * 3), row1(static_cast<size_t>(width) * 3);
  auto horizontal = [&](int sy, std::vector<int>& out) {
    const uint8_t* s = src.row(sy);
    for (int x = 0; x < width; ++x) {
      const int sx0 = clamp_x(xs.index[x]), sx1 = clamp_x(xs.index[x] + 1);
      for (int c = 0; c < 3; ++c)
        out[x * 3 + c] = s[sx0 * 3 + c] * xs.weight0[x] + s[sx1 * 3 + c] * xs.weight1[x];
    }
  };
  for (int y = 0; y < height; ++y) {
    horizontal(clamp_y(ys.index[y]), row0);
    horizontal(clamp_y(ys.index[y] + 1), row1);
    const int b0 = ys.weight0[y], b1 = ys.weight1[y];
    uint8_t* d = dst.row(y);
    // OpenCV's 8-bit vertical pass, the same in its SIMD and scalar code: pre-shift by 4,
    // keep the high 16 bits of each product, round by 2. Never above 255: the weights sum
    // to 2048. (Exact 2x reductions take OpenCV's area path, whose (a+b+c+d+2)>>2 this
    // equals for weights of 1024.)
    for (int i = 0; i < width * 3; ++i)
      d[i] = static_cast<uint8_t>((((b0 * (row0[i] >> 4)) >> 16) + ((b1 * (row1[i] >> 4)) >> 16) + 2) >> 2);
  }
  return dst;
}

Tensor det_input(const Image& image, int resize_h, int resize_w) {
  const Image resized = resize_bilinear(image, resize_w, resize_h);
  Tensor t({1, 3, resize_h, resize_w});
  const size_t plane = static_cast<size_t>(resize_h) * resize_w;
  const float inv255 = static_cast<float>(1.0 / 255.0);
  for (int y = 0; y < resize_h; ++y) {
    const uint8_t* s = resized.row(y);
    for (int x = 0; x < resize_w; ++x) {
      const size_t at = static_cast<size_t>(y) * resize_w + x;
      for (int c = 0; c < 3; ++c) {
        const float v = static_cast<float>(s[x * 3 + c]) * inv255 - kDetMean[c];
        t.data[c * plane + at] = v / kDetStd[c];
      }
    }
  }
  return t;
}

void line_input(const Image& crop, int height, int width, float* out) {
  const double ratio = crop.width / static_cast<double>(crop.height);
  const int resized_w = std::min(width, static_cast<int>(std::ceil(height * ratio)));
  const Image resized = resize_bilinear(crop, resized_w, height);
  const size_t plane = static_cast<size_t>(height) * width;
  std::fill(out, out + 3 * plane, 0.0f);
  for (int y = 0; y < height; ++y) {
    const uint8_t* s = resized.row(y);
    for (int x = 0; x < resized_w; ++x) {
      for (int c = 0; c < 3; ++c) {
        const float v = static_cast<float>(s[x * 3 + c]) / 255.0f;
        out[c * plane + static_cast<size_t>(y) * width + x] = (v - 0.5f) / 0.5f;
      }
    }
  }
}

std::vector<std::vector<size_t>> line_batch_order(const std::vector<Image>& crops, int batch_size) {
  std::vector<size_t> order(crops.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  auto ratio = [&](size_t i) { return crops[i].width / static_cast<double>(crops[i].height); };
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return ratio(a) < ratio(b); });
  std::vector<std::vector<size_t>> batches;
  for (size_t start = 0; start < order.size(); start += static_cast<size_t>(batch_size)) {
    const size_t end = std::min(order.size(), start + static_cast<size_t>(batch_size));
    batches.emplace_back(order.begin() + static_cast<std::ptrdiff_t>(start), order.begin() + static_cast<std::ptrdiff_t>(end));
  }
  return batches;
}

Tensor line_batch(const std::vector<Image>& crops, const std::vector<size_t>& indices, int height, int width) {
  Tensor t({static_cast<int64_t>(indices.size()), 3, height, width});
  const size_t item = static_cast<size_t>(3) * height * width;
  for (size_t k = 0; k < indices.size(); ++k) line_input(crops[indices[k]], height, width, t.data.data() + k * item);
  return t;
}

int rec_batch_width(const std::vector<Image>& crops, const std::vector<size_t>& indices, int height, int width) {
  double max_ratio = width / static_cast<double>(height);
  for (size_t i : indices) max_ratio = std::max(max_ratio, crops[i].width / static_cast<double>(crops[i].height));
  return static_cast<int>(height * max_ratio);
}

}  // namespace edgeocr
