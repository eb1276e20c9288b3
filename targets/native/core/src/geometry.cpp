#include "edgeocr/geometry.h"

#include <algorithm>
#include <cmath>

namespace edgeocr {

namespace {
constexpr double kVerticalRatio = 1.5;  // a crop this much taller than wide is vertical text
constexpr float kSameLinePx = 10.0f;    // tops closer than this are on one line

// np.linalg.norm of a float32 difference: float32 sum of squares, float32 square root.
float distance(const PointF& a, const PointF& b) {
  const float dx = a.x - b.x, dy = a.y - b.y;
  return std::sqrt(dx * dx + dy * dy);
}
}  // namespace

Quad order_points_clockwise(const Quad& points) {
  Quad by_x = points;
  std::stable_sort(by_x.begin(), by_x.end(), [](const PointF& a, const PointF& b) { return a.x < b.x; });
  auto by_y = [](const PointF& a, const PointF& b) { return a.y < b.y; };
  std::stable_sort(by_x.begin(), by_x.begin() + 2, by_y);
  std::stable_sort(by_x.begin() + 2, by_x.end(), by_y);
  return Quad{by_x[0], by_x[2], by_x[3], by_x[1]};
}

std::vector<Quad> filter_det_boxes(const std::vector<DbBox>& boxes, int image_height, int image_width) {
  std::vector<Quad> kept;
  for (const DbBox& b : boxes) {
    Quad q;
    for (int i = 0; i < 4; ++i) q[i] = PointF{static_cast<float>(b.points[i].x), static_cast<float>(b.points[i].y)};
    q = order_points_clockwise(q);
    for (PointF& p : q) {
      p.x = std::trunc(std::clamp(p.x, 0.0f, static_cast<float>(image_width - 1)));
      p.y = std::trunc(std::clamp(p.y, 0.0f, static_cast<float>(image_height - 1)));
    }
    if (static_cast<int>(distance(q[0], q[1])) <= 3 || static_cast<int>(distance(q[0], q[3])) <= 3) continue;
    kept.push_back(q);
  }
  return kept;
}

std::vector<Quad> sorted_boxes(std::vector<Quad> boxes) {
  std::stable_sort(boxes.begin(), boxes.end(), [](const Quad& a, const Quad& b) {
    if (a[0].y != b[0].y) return a[0].y < b[0].y;
    return a[0].x < b[0].x;
  });
  for (size_t i = 0; i + 1 < boxes.size(); ++i) {
    const Quad& a = boxes[i];
    const Quad& b = boxes[i + 1];
    if (std::fabs(b[0].y - a[0].y) < kSameLinePx && b[0].x < a[0].x) std::swap(boxes[i], boxes[i + 1]);
  }
  return boxes;
}

namespace {
constexpr int kTabBits = 5;  // OpenCV INTER_BITS: sample positions quantised to 1/32 pixel
constexpr int kTabSize = 1 << kTabBits;
constexpr int kCoefBits = 15;  // INTER_REMAP_COEF_BITS
constexpr int kCoefScale = 1 << kCoefBits;

// Keys' cubic kernel (a = -0.75) at fraction x.
void cubic_weights(float x, float w[4]) {
  const float a = -0.75f;
  w[0] = ((a * (x + 1) - 5 * a) * (x + 1) + 8 * a) * (x + 1) - 4 * a;
  w[1] = ((a + 2) * x - (a + 3)) * x * x + 1;
  w[2] = ((a + 2) * (1 - x) - (a + 3)) * (1 - x) * (1 - x) + 1;
  w[3] = 1.f - w[0] - w[1] - w[2];
}

// Fixed-point 4x4 weights for every (fy, fx) fraction, each summing to exactly kCoefScale.
struct CubicTable {
  int w[kTabSize * kTabSize][16];
  CubicTable() {
    for (int fy = 0; fy < kTabSize; ++fy)
      for (int fx = 0; fx < kTabSize; ++fx) {
        float vy[4], vx[4];
        cubic_weights(static_cast<float>(fy) / kTabSize, vy);
        cubic_weights(static_cast<float>(fx) / kTabSize, vx);
        int* t = w[fy * kTabSize + fx];
        int sum = 0;
        for (int i = 0; i < 4; ++i)
          for (int j = 0; j < 4; ++j) {
            t[i * 4 + j] = static_cast<int>(std::lrint(vy[i] * vx[j] * kCoefScale));
            sum += t[i * 4 + j];
          }
        if (sum != kCoefScale) {  // put the rounding error on the largest/smallest central weight
          int lo = 5, hi = 5;
          for (int i = 1; i < 3; ++i)
            for (int j = 1; j < 3; ++j) {
              if (t[i * 4 + j] < t[lo]) lo = i * 4 + j;
              else if (t[i * 4 + j] > t[hi]) hi = i * 4 + j;
            }
          const int diff = sum - kCoefScale;
          if (diff < 0) t[hi] -= diff;
          else t[lo] -= diff;
        }
      }
  }
};

// Homography taking (0,0), (w,0), (w,h), (0,h) to the box corners: 8x8 solve with
// partial pivoting (cv::getPerspectiveTransform's system, written from crop to image).
std::array<double, 9> crop_to_image(const Quad& box, double w, double h) {
  const double src[4][2] = {{0, 0}, {w, 0}, {w, h}, {0, h}};
  double a[8][9] = {};
  for (int i = 0; i < 4; ++i) {
    const double x = src[i][0], y = src[i][1], u = box[i].x, v = box[i].y;
    double* r0 = a[i];
    double* r1 = a[i + 4];
    r0[0] = x, r0[1] = y, r0[2] = 1, r0[6] = -x * u, r0[7] = -y * u, r0[8] = u;
    r1[3] = x, r1[4] = y, r1[5] = 1, r1[6] = -x * v, r1[7] = -y * v, r1[8] = v;
  }
  for (int c = 0; c < 8; ++c) {
    int pivot = c;
    for (int r = c + 1; r < 8; ++r)
      if (std::fabs(a[r][c]) > std::fabs(a[pivot][c])) pivot = r;
    for (int k = 0; k < 9; ++k) std::swap(a[c][k], a[pivot][k]);
    for (int r = 0; r < 8; ++r) {
      if (r == c || a[c][c] == 0) continue;
      const double f = a[r][c] / a[c][c];
      for (int k = c; k < 9; ++k) a[r][k] -= f * a[c][k];
    }
  }
  std::array<double, 9> m{};
  for (int i = 0; i < 8; ++i) m[i] = a[i][i] != 0 ? a[i][8] / a[i][i] : 0.0;
  m[8] = 1.0;
  return m;
}
}  // namespace

Image rotate_crop(const Image& image, const Quad& box) {
  static const CubicTable table;
  const int crop_w = static_cast<int>(std::max(distance(box[0], box[1]), distance(box[2], box[3])));
  const int crop_h = static_cast<int>(std::max(distance(box[0], box[3]), distance(box[1], box[2])));
  Image crop(std::max(crop_w, 1), std::max(crop_h, 1));
  const std::array<double, 9> m = crop_to_image(box, crop_w, crop_h);
  auto clamp_x = [&](int x) { return std::clamp(x, 0, image.width - 1); };
  auto clamp_y = [&](int y) { return std::clamp(y, 0, image.height - 1); };
  for (int y = 0; y < crop.height; ++y) {
    uint8_t* out = crop.row(y);
    for (int x = 0; x < crop.width; ++x) {
      const double wgt = m[6] * x + m[7] * y + m[8];
      const double scale = wgt != 0 ? kTabSize / wgt : 0.0;
      const double fx = std::clamp((m[0] * x + m[1] * y + m[2]) * scale, -2147483648.0, 2147483647.0);
      const double fy = std::clamp((m[3] * x + m[4] * y + m[5]) * scale, -2147483648.0, 2147483647.0);
      const int qx = static_cast<int>(std::lrint(fx)), qy = static_cast<int>(std::lrint(fy));
      const int sx = (qx >> kTabBits) - 1, sy = (qy >> kTabBits) - 1;
      const int* w = table.w[(qy & (kTabSize - 1)) * kTabSize + (qx & (kTabSize - 1))];
      for (int c = 0; c < 3; ++c) {
        int sum = 0;
        for (int i = 0; i < 4; ++i) {
          const uint8_t* row = image.row(clamp_y(sy + i));
          for (int j = 0; j < 4; ++j) sum += row[clamp_x(sx + j) * 3 + c] * w[i * 4 + j];
        }
        out[x * 3 + c] = static_cast<uint8_t>(std::clamp((sum + (1 << (kCoefBits - 1))) >> kCoefBits, 0, 255));
      }
    }
  }
  if (static_cast<double>(crop.height) / crop.width >= kVerticalRatio) return rotate90_ccw(crop);
  return crop;
}

}  // namespace edgeocr
