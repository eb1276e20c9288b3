// Convex hull (Sklansky's scan, as cv::convexHull runs it on integer points), the
// rotating-calipers minimum-area rectangle (cv::minAreaRect) and its corners
// (cv::boxPoints). The float steps use float or double exactly where OpenCV does: the
// corners feed rounding further down, so one ulp matters.
#include <algorithm>
#include <cfloat>
#include <cmath>

#include "edgeocr/shapes.h"

namespace edgeocr {

namespace {
constexpr double kPi = 3.1415926535897932384626433832795;  // CV_PI

int sign(int64_t v) { return (v > 0) - (v < 0); }

// One monotone chain of the hull from sorted[start] towards sorted[end]; writes the
// chain's indices (into `sorted`) to stack and returns their count.
int sklansky(const std::vector<const PointI*>& sorted, int start, int end, int* stack, int nsign, int sign2) {
  const int incr = end > start ? 1 : -1;
  int pprev = start, pcur = pprev + incr, pnext = pcur + incr;
  int size = 3;
  if (start == end || *sorted[start] == *sorted[end]) {
    stack[0] = start;
    return 1;
  }
  stack[0] = pprev;
  stack[1] = pcur;
  stack[2] = pnext;
  end += incr;  // one past the end
  while (pnext != end) {
    const int cury = sorted[pcur]->y;
    const int by = sorted[pnext]->y - cury;
    if (sign(by) != nsign) {
      const int ax = sorted[pcur]->x - sorted[pprev]->x, ay = cury - sorted[pprev]->y;
      const int bx = sorted[pnext]->x - sorted[pcur]->x;
      const int64_t convexity = static_cast<int64_t>(ay) * bx - static_cast<int64_t>(ax) * by;
      if (sign(convexity) == sign2 && (ax != 0 || ay != 0)) {
        pprev = pcur;
        pcur = pnext;
        pnext += incr;
        stack[size++] = pnext;
      } else if (pprev == start) {
        pcur = pnext;
        stack[1] = pcur;
        pnext += incr;
        stack[2] = pnext;
      } else {
        stack[size - 2] = pnext;
        pcur = pprev;
        pprev = stack[size - 4];
        --size;
      }
    } else {
      pnext += incr;
      stack[size - 1] = pnext;
    }
  }
  return size - 1;
}

// OpenCV rotates the hull so that its input indices ascend or descend where it can.
void make_indices_monotonic(std::vector<int>& hull) {
  const int n = static_cast<int>(hull.size());
  if (n < 3) return;
  int min_i = 0, max_i = 0, lt = 0;
  for (int i = 1; i < n; ++i) {
    lt += hull[i - 1] < hull[i];
    if (lt > 1 && lt <= i - 2) break;
    if (hull[i] < hull[min_i]) min_i = i;
    if (hull[i] > hull[max_i]) max_i = i;
  }
  const int dist = std::abs(max_i - min_i);
  if (!((dist == 1 || dist == n - 1) && (lt <= 1 || lt >= n - 2))) return;
  const bool ascending = (max_i + 1) % n == min_i;
  const int i0 = ascending ? min_i : max_i;
  if (i0 == 0) return;
  std::vector<int> rotated(n);
  int j = i0, i = 0;
  for (; i < n; ++i) {
    rotated[i] = hull[j];
    const int next_j = j + 1 < n ? j + 1 : 0;
    if (i < n - 1 && ascending != (rotated[i] < hull[next_j])) break;
    j = next_j;
  }
  if (i == n) hull = rotated;
}

// Whether vector a points clockwise of vector b.
bool first_is_clockwise_of(const PointF& a, const PointF& b) { return a.y * b.x + -a.x * b.y < 0; }

// Rotating calipers over a hull: corner, side vector 1 and side vector 2 of the
// smallest-area enclosing rectangle.
void calipers(const std::vector<PointF>& pts, float out[6]) {
  const int n = static_cast<int>(pts.size());
  std::vector<PointF> vect(n);
  std::vector<float> inv_len(n);
  int left = 0, bottom = 0, right = 0, top = 0;
  PointF pt0 = pts[0];
  float left_x = pt0.x, right_x = pt0.x, top_y = pt0.y, bottom_y = pt0.y;
  for (int i = 0; i < n; ++i) {
    if (pt0.x < left_x) left_x = pt0.x, left = i;
    if (pt0.x > right_x) right_x = pt0.x, right = i;
    if (pt0.y > top_y) top_y = pt0.y, top = i;
    if (pt0.y < bottom_y) bottom_y = pt0.y, bottom = i;
    const PointF pt = pts[i + 1 < n ? i + 1 : 0];
    const double dx = static_cast<double>(pt.x) - pt0.x, dy = static_cast<double>(pt.y) - pt0.y;
    vect[i] = PointF{static_cast<float>(dx), static_cast<float>(dy)};
    inv_len[i] = static_cast<float>(1.0 / std::sqrt(dx * dx + dy * dy));
    pt0 = pt;
  }
  float orientation = 0.0f;
  {
    double ax = vect[n - 1].x, ay = vect[n - 1].y;
    for (int i = 0; i < n; ++i) {
      const double bx = vect[i].x, by = vect[i].y;
      const double convexity = ax * by - ay * bx;
      if (convexity != 0) {
        orientation = convexity > 0 ? 1.0f : -1.0f;
        break;
      }
      ax = bx;
      ay = by;
    }
  }
  float base_a = orientation, base_b = 0.0f;
  int seq[4] = {bottom, right, top, left};
  float minarea = FLT_MAX;
  int best_left = 0, best_bottom = 0;
  float best_a = 0, best_b = 0, best_width = 0, best_height = 0;
  for (int k = 0; k < n; ++k) {
    // the caliper side making the smallest angle with its next edge: compared by the sign
    // of a dot product, not by cosines, which tie or misorder for (nearly) parallel edges
    const PointF& v0 = vect[seq[0]];
    const PointF& v1 = vect[seq[1]];
    const PointF& v2 = vect[seq[2]];
    const PointF& v3 = vect[seq[3]];
    const PointF turned[4] = {v0, PointF{v1.y, -v1.x}, PointF{-v2.x, -v2.y}, PointF{-v3.y, v3.x}};
    int main = 0;
    for (int i = 1; i < 4; ++i)
      if (first_is_clockwise_of(turned[i], turned[main])) main = i;
    const int p = seq[main];
    const float lead_x = vect[p].x * inv_len[p], lead_y = vect[p].y * inv_len[p];
    switch (main) {
      case 0: base_a = lead_x; base_b = lead_y; break;
      case 1: base_a = lead_y; base_b = -lead_x; break;
      case 2: base_a = -lead_x; base_b = -lead_y; break;
      default: base_a = -lead_y; base_b = lead_x; break;
    }
    seq[main] = seq[main] + 1 == n ? 0 : seq[main] + 1;

    float dx = pts[seq[1]].x - pts[seq[3]].x;
    float dy = pts[seq[1]].y - pts[seq[3]].y;
    const float width = dx * base_a + dy * base_b;
    dx = pts[seq[2]].x - pts[seq[0]].x;
    dy = pts[seq[2]].y - pts[seq[0]].y;
    const float height = -dx * base_b + dy * base_a;
    const float area = width * height;
    if (area <= minarea) {
      minarea = area;
      best_left = seq[3];
      best_a = base_a;
      best_width = width;
      best_b = base_b;
      best_height = height;
      best_bottom = seq[0];
    }
  }
  const float A1 = best_a, B1 = best_b, A2 = -best_b, B2 = best_a;
  const float C1 = A1 * pts[best_left].x + pts[best_left].y * B1;
  const float C2 = A2 * pts[best_bottom].x + pts[best_bottom].y * B2;
  const float idet = 1.0f / (A1 * B2 - A2 * B1);
  out[0] = (C1 * B2 - C2 * B1) * idet;
  out[1] = (A1 * C2 - A2 * C1) * idet;
  out[2] = A1 * best_width;
  out[3] = B1 * best_width;
  out[4] = A2 * best_height;
  out[5] = B2 * best_height;
}
}  // namespace

Contour convex_hull(const Contour& points, bool clockwise) {
  const int total = static_cast<int>(points.size());
  if (total == 0) return {};
  std::vector<const PointI*> sorted(total);
  for (int i = 0; i < total; ++i) sorted[i] = &points[i];
  std::sort(sorted.begin(), sorted.end(), [](const PointI* a, const PointI* b) {
    if (a->x != b->x) return a->x < b->x;
    if (a->y != b->y) return a->y < b->y;
    return a < b;
  });
  int miny = 0, maxy = 0;
  for (int i = 1; i < total; ++i) {
    if (sorted[miny]->y > sorted[i]->y) miny = i;
    if (sorted[maxy]->y < sorted[i]->y) maxy = i;
  }
  auto original = [&](int sorted_index) { return static_cast<int>(sorted[sorted_index] - points.data()); };
  std::vector<int> hull;
  if (*sorted[0] == *sorted[total - 1]) {
    hull.push_back(0);
  } else {
    std::vector<int> stack(static_cast<size_t>(total) * 2 + 4);
    int* tl = stack.data();
    int tl_count = sklansky(sorted, 0, maxy, tl, -1, 1);
    int* tr = tl + tl_count;
    int tr_count = sklansky(sorted, total - 1, maxy, tr, -1, -1);
    if (!clockwise) {
      std::swap(tl, tr);
      std::swap(tl_count, tr_count);
    }
    for (int i = 0; i < tl_count - 1; ++i) hull.push_back(original(tl[i]));
    for (int i = tr_count - 1; i > 0; --i) hull.push_back(original(tr[i]));
    const int stop = tr_count > 2 ? tr[1] : tl_count > 2 ? tl[tl_count - 2] : -1;

    int* bl = stack.data();
    int bl_count = sklansky(sorted, 0, miny, bl, 1, -1);
    int* br = bl + bl_count;
    int br_count = sklansky(sorted, total - 1, miny, br, 1, 1);
    if (clockwise) {
      std::swap(bl, br);
      std::swap(bl_count, br_count);
    }
    if (stop >= 0) {
      const int check = bl_count > 2 ? bl[1] : bl_count + br_count > 2 ? br[2 - bl_count] : -1;
      if (check == stop || (check >= 0 && *sorted[check] == *sorted[stop])) {
        // all points on one line: the lower chain mirrors the upper one
        bl_count = std::min(bl_count, 2);
        br_count = std::min(br_count, 2);
      }
    }
    for (int i = 0; i < bl_count - 1; ++i) hull.push_back(original(bl[i]));
    for (int i = br_count - 1; i > 0; --i) hull.push_back(original(br[i]));
    make_indices_monotonic(hull);
  }
  Contour out;
  out.reserve(hull.size());
  for (int i : hull) out.push_back(points[i]);
  return out;
}

RotatedRect min_area_rect(const Contour& points) {
  const Contour hull = convex_hull(points, false);  // counter-clockwise, as the calipers expect
  std::vector<PointF> h(hull.size());
  for (size_t i = 0; i < hull.size(); ++i) h[i] = PointF{static_cast<float>(hull[i].x), static_cast<float>(hull[i].y)};
  RotatedRect box;
  const size_t n = h.size();
  if (n > 2) {
    float out[6];
    calipers(h, out);
    box.center.x = out[0] + (out[2] + out[4]) * 0.5f;
    box.center.y = out[1] + (out[3] + out[5]) * 0.5f;
    box.width = static_cast<float>(std::sqrt(static_cast<double>(out[2]) * out[2] + static_cast<double>(out[3]) * out[3]));
    box.height = static_cast<float>(std::sqrt(static_cast<double>(out[4]) * out[4] + static_cast<double>(out[5]) * out[5]));
    box.angle = static_cast<float>(std::atan2(static_cast<double>(out[3]), static_cast<double>(out[2])));
  } else if (n == 2) {
    box.center.x = (h[0].x + h[1].x) * 0.5f;
    box.center.y = (h[0].y + h[1].y) * 0.5f;
    const double dx = static_cast<double>(h[1].x) - h[0].x, dy = static_cast<double>(h[1].y) - h[0].y;
    box.width = static_cast<float>(std::sqrt(dx * dx + dy * dy));
    box.height = 0.0f;
    box.angle = static_cast<float>(std::atan2(dy, dx));
  } else if (n == 1) {
    box.center = h[0];
  }
  box.angle = static_cast<float>(box.angle * 180 / kPi);
  return box;
}

Quad box_points(const RotatedRect& r) {
  const double angle = r.angle * kPi / 180.0;
  const float b = static_cast<float>(std::cos(angle)) * 0.5f;
  const float a = static_cast<float>(std::sin(angle)) * 0.5f;
  Quad pt;
  pt[0].x = r.center.x - a * r.height - b * r.width;
  pt[0].y = r.center.y + b * r.height - a * r.width;
  pt[1].x = r.center.x + a * r.height - b * r.width;
  pt[1].y = r.center.y - b * r.height - a * r.width;
  pt[2].x = 2 * r.center.x - pt[0].x;
  pt[2].y = 2 * r.center.y - pt[0].y;
  pt[3].x = 2 * r.center.x - pt[1].x;
  pt[3].y = 2 * r.center.y - pt[1].y;
  return pt;
}

}  // namespace edgeocr
