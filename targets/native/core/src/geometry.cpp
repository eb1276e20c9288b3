#include "edgeocr/geometry.h"

#include <algorithm>
#include <cfloat>
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

// Keys' cubic kernel (a = -0.75) at fraction x, in float as OpenCV's interpolateCubic.
void cubic_weights(float x, float w[4]) {
  const float a = -0.75f;
  w[0] = ((a * (x + 1) - 5 * a) * (x + 1) + 8 * a) * (x + 1) - 4 * a;
  w[1] = ((a + 2) * x - (a + 3)) * x * x + 1;
  w[2] = ((a + 2) * (1 - x) - (a + 3)) * (1 - x) * (1 - x) + 1;
  w[3] = 1.f - w[0] - w[1] - w[2];
}

// OpenCV's fixed-point 4x4 weights for every (fy, fx) fraction (initInterTab2D): rounded
// products, then the rounding error put on the largest (sum too small) or smallest (sum
// too large) weight of the lower-right 2x2, scanned from (2, 2), so each sums to kCoefScale.
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
        if (sum != kCoefScale) {
          int lo = 10, hi = 10;
          for (int i = 2; i < 4; ++i)
            for (int j = 2; j < 4; ++j) {
              if (t[i * 4 + j] < t[lo]) lo = i * 4 + j;
              else if (t[i * 4 + j] > t[hi]) hi = i * 4 + j;
            }
          t[sum < kCoefScale ? hi : lo] -= sum - kCoefScale;
        }
      }
  }
};

using Matrix3 = std::array<double, 9>;

// cv::getPerspectiveTransform(src, dst): the 8x8 system with float products, solved as
// OpenCV 4.x's LU does (partial pivoting, multipliers from -1/pivot, back substitution
// dividing by the pivot; its LAPACK hook only takes 100 unknowns or more). A singular system
// gives OpenCV's zero matrix (with m[8] = 1).
Matrix3 perspective_transform(const Quad& src, const Quad& dst) {
  double a[8][8] = {}, b[8];
  for (int i = 0; i < 4; ++i) {
    a[i][0] = a[i + 4][3] = src[i].x;
    a[i][1] = a[i + 4][4] = src[i].y;
    a[i][2] = a[i + 4][5] = 1;
    a[i][6] = -src[i].x * dst[i].x;
    a[i][7] = -src[i].y * dst[i].x;
    a[i + 4][6] = -src[i].x * dst[i].y;
    a[i + 4][7] = -src[i].y * dst[i].y;
    b[i] = dst[i].x;
    b[i + 4] = dst[i].y;
  }
  Matrix3 m{};
  m[8] = 1.0;
  for (int i = 0; i < 8; ++i) {
    int pivot = i;
    for (int j = i + 1; j < 8; ++j)
      if (std::fabs(a[j][i]) > std::fabs(a[pivot][i])) pivot = j;
    if (std::fabs(a[pivot][i]) < DBL_EPSILON * 100) return m;
    std::swap(a[i], a[pivot]);
    std::swap(b[i], b[pivot]);
    const double d = -1 / a[i][i];
    for (int j = i + 1; j < 8; ++j) {
      const double alpha = a[j][i] * d;
      for (int k = i + 1; k < 8; ++k) a[j][k] += alpha * a[i][k];
      b[j] += alpha * b[i];
    }
  }
  for (int i = 7; i >= 0; --i) {
    double s = b[i];
    for (int k = i + 1; k < 8; ++k) s -= a[i][k] * b[k];
    b[i] = s / a[i][i];
  }
  std::copy(b, b + 8, m.begin());
  return m;
}

// cv::invert of a 3x3 (DECOMP_LU): adjugate over the determinant; zeros when singular.
Matrix3 invert(const Matrix3& s) {
  auto at = [&](int r, int c) { return s[r * 3 + c]; };
  double d = at(0, 0) * (at(1, 1) * at(2, 2) - at(1, 2) * at(2, 1)) - at(0, 1) * (at(1, 0) * at(2, 2) - at(1, 2) * at(2, 0)) +
             at(0, 2) * (at(1, 0) * at(2, 1) - at(1, 1) * at(2, 0));
  if (d == 0) return Matrix3{};
  d = 1. / d;
  return Matrix3{(at(1, 1) * at(2, 2) - at(1, 2) * at(2, 1)) * d, (at(0, 2) * at(2, 1) - at(0, 1) * at(2, 2)) * d,
                 (at(0, 1) * at(1, 2) - at(0, 2) * at(1, 1)) * d, (at(1, 2) * at(2, 0) - at(1, 0) * at(2, 2)) * d,
                 (at(0, 0) * at(2, 2) - at(0, 2) * at(2, 0)) * d, (at(0, 2) * at(1, 0) - at(0, 0) * at(1, 2)) * d,
                 (at(1, 0) * at(2, 1) - at(1, 1) * at(2, 0)) * d, (at(0, 1) * at(2, 0) - at(0, 0) * at(2, 1)) * d,
                 (at(0, 0) * at(1, 1) - at(0, 1) * at(1, 0)) * d};
}

// A source coordinate in 1/32 pixel: cvRound of the clamped double, as warpPerspective.
int tab_position(double v) { return static_cast<int>(std::lrint(std::clamp(v, -2147483648.0, 2147483647.0))); }
}  // namespace

Image rotate_crop(const Image& image, const Quad& box) {
  static const CubicTable table;
  const int crop_w = static_cast<int>(std::max(distance(box[0], box[1]), distance(box[2], box[3])));
  const int crop_h = static_cast<int>(std::max(distance(box[0], box[3]), distance(box[1], box[2])));
  Image crop(std::max(crop_w, 1), std::max(crop_h, 1));
  const float w = static_cast<float>(crop_w), h = static_cast<float>(crop_h);
  // warpPerspective inverts the image-to-crop matrix it is given to map crop pixels back
  const Matrix3 m = invert(perspective_transform(box, Quad{PointF{0, 0}, PointF{w, 0}, PointF{w, h}, PointF{0, h}}));
  // It maps blocks of up to 16 rows x block_w columns, each block row from the block's first
  // column on ((X0 + M0 * x1) / (W0 + M6 * x1)): the rounding follows that split.
  const int block_w = std::min(1024 / std::min(16, crop.height), crop.width);
  auto clamp_x = [&](int x) { return std::clamp(x, 0, image.width - 1); };  // BORDER_REPLICATE
  auto clamp_y = [&](int y) { return std::clamp(y, 0, image.height - 1); };
  for (int y = 0; y < crop.height; ++y) {
    uint8_t* out = crop.row(y);
    for (int x0 = 0; x0 < crop.width; x0 += block_w) {
      const double num_x = m[0] * x0 + m[1] * y + m[2], num_y = m[3] * x0 + m[4] * y + m[5], den = m[6] * x0 + m[7] * y + m[8];
      for (int x = x0; x < std::min(x0 + block_w, crop.width); ++x) {
        const int x1 = x - x0;
        double scale = den + m[6] * x1;
        scale = scale != 0 ? kTabSize / scale : 0.0;
        const int qx = tab_position((num_x + m[0] * x1) * scale), qy = tab_position((num_y + m[3] * x1) * scale);
        // remap's integer part is a saturated short; the 4x4 window starts one pixel before it
        const int sx = std::clamp(qx >> kTabBits, -32768, 32767) - 1, sy = std::clamp(qy >> kTabBits, -32768, 32767) - 1;
        const int* wt = table.w[(qy & (kTabSize - 1)) * kTabSize + (qx & (kTabSize - 1))];
        for (int c = 0; c < 3; ++c) {
          int sum = 0;
          for (int i = 0; i < 4; ++i) {
            const uint8_t* row = image.row(clamp_y(sy + i));
            for (int j = 0; j < 4; ++j) sum += row[clamp_x(sx + j) * 3 + c] * wt[i * 4 + j];
          }
          out[x * 3 + c] = static_cast<uint8_t>(std::clamp((sum + (1 << (kCoefBits - 1))) >> kCoefBits, 0, 255));
        }
      }
    }
  }
  if (static_cast<double>(crop.height) / crop.width >= kVerticalRatio) return rotate90_ccw(crop);
  return crop;
}

}  // namespace edgeocr
