// Suzuki-Abe border following in OpenCV's RETR_LIST / CHAIN_APPROX_SIMPLE flavour: the
// bitmap is padded by one zero pixel, scanned in raster order, each border traced with
// the same neighbour order and pixel marks, and the contours returned newest first
// (OpenCV links each new contour in front of its siblings).
#include <algorithm>

#include "edgeocr/shapes.h"

namespace edgeocr {

namespace {
constexpr int8_t kRightMark = static_cast<int8_t>(0x82);  // visited, on a right-hand border
constexpr int8_t kVisited = 2;                             // visited elsewhere
constexpr int kDx[8] = {1, 1, 0, -1, -1, -1, 0, 1};       // chain code directions,
constexpr int kDy[8] = {0, -1, -1, -1, 0, 1, 1, 1};       // counter-clockwise from east

class Tracer {
 public:
  Tracer(std::vector<int8_t>& img, int stride) : img_(img), stride_(stride) {
    for (int s = 0; s < 8; ++s) delta_[s] = kDx[s] + kDy[s] * stride;
  }

  // Follows the border starting at padded (x, y); `origin` is its unpadded position.
  Contour trace(int x, int y, bool is_hole, PointI origin) const {
    Contour pts;
    const int i0 = y * stride_ + x;
    int s_end = is_hole ? 0 : 4;
    int s = s_end;
    int i1;
    do {
      s = (s - 1) & 7;
      i1 = i0 + delta_[s];
    } while (img_[i1] == 0 && s != s_end);

    if (s == s_end) {  // an isolated pixel
      img_[i0] = kRightMark;
      pts.push_back(origin);
      return pts;
    }
    PointI pt = origin;
    int i3 = i0, i4 = i0;
    int prev_s = s ^ 4;
    for (;;) {
      s_end = s;
      while (s < 15) {
        ++s;
        i4 = i3 + delta_[s & 7];
        if (img_[i4] != 0) break;
      }
      s &= 7;
      if (static_cast<unsigned>(s - 1) < static_cast<unsigned>(s_end)) {
        img_[i3] = kRightMark;
      } else if (img_[i3] == 1) {
        img_[i3] = kVisited;
      }
      if (s != prev_s) pts.push_back(pt);  // keep only the points where the direction turns
      prev_s = s;
      pt.x += kDx[s];
      pt.y += kDy[s];
      if (i4 == i0 && i3 == i1) break;
      i3 = i4;
      s = (s + 4) & 7;
    }
    return pts;
  }

 private:
  std::vector<int8_t>& img_;
  int stride_;
  int delta_[8];
};
}  // namespace

std::vector<Contour> find_contours(const std::vector<uint8_t>& bitmap, int width, int height) {
  const int w = width + 2, h = height + 2;
  std::vector<int8_t> img(static_cast<size_t>(w) * h, 0);
  for (int y = 0; y < height; ++y)
    for (int x = 0; x < width; ++x)
      img[static_cast<size_t>(y + 1) * w + x + 1] = bitmap[static_cast<size_t>(y) * width + x] ? 1 : 0;

  Tracer tracer(img, w);
  std::vector<Contour> found;
  for (int y = 1; y < h - 1; ++y) {
    int prev = 0;
    for (int x = 1; x < w - 1; ++x) {
      const int p = img[static_cast<size_t>(y) * w + x];
      if (p == prev) continue;
      const bool outer = prev == 0 && p == 1;
      const bool hole = p == 0 && prev >= 1;  // left of it: foreground not yet on a right border
      if (outer || hole) {
        const int sx = hole ? x - 1 : x;
        found.push_back(tracer.trace(sx, y, hole, PointI{sx - 1, y - 1}));
        prev = img[static_cast<size_t>(y) * w + x];  // tracing may have re-marked it
      } else {
        prev = p;
      }
    }
  }
  std::reverse(found.begin(), found.end());
  return found;
}

}  // namespace edgeocr
