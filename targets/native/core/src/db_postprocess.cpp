#include "edgeocr/db_postprocess.h"

#include <algorithm>
#include <cmath>

#include "clipper.hpp"

namespace edgeocr {

namespace {
constexpr float kMinSize = 3.0f;  // shortest side, in map pixels, of a rectangle worth keeping

// Closed ring (first point repeated), as shapely stores a polygon's shell.
std::vector<PointF> closed(const std::vector<PointF>& ring) {
  std::vector<PointF> r = ring;
  r.push_back(ring.front());
  return r;
}
}  // namespace

MiniBox mini_box(const Contour& contour) {
  const RotatedRect rect = min_area_rect(contour);
  const Quad corners = box_points(rect);
  std::array<PointF, 4> p = corners;
  std::stable_sort(p.begin(), p.end(), [](const PointF& a, const PointF& b) { return a.x < b.x; });
  // of the two left-most points the upper one is top-left; likewise on the right
  const PointF tl = p[1].y > p[0].y ? p[0] : p[1];
  const PointF bl = p[1].y > p[0].y ? p[1] : p[0];
  const PointF tr = p[3].y > p[2].y ? p[2] : p[3];
  const PointF br = p[3].y > p[2].y ? p[3] : p[2];
  return MiniBox{Quad{tl, tr, br, bl}, std::min(rect.width, rect.height)};
}

double box_score(const float* prob, int height, int width, const std::vector<PointF>& polygon) {
  float min_x = polygon[0].x, max_x = polygon[0].x, min_y = polygon[0].y, max_y = polygon[0].y;
  for (const PointF& p : polygon) {
    min_x = std::min(min_x, p.x);
    max_x = std::max(max_x, p.x);
    min_y = std::min(min_y, p.y);
    max_y = std::max(max_y, p.y);
  }
  const int xmin = static_cast<int>(std::clamp(std::floor(min_x), 0.0f, static_cast<float>(width - 1)));
  const int xmax = static_cast<int>(std::clamp(std::ceil(max_x), 0.0f, static_cast<float>(width - 1)));
  const int ymin = static_cast<int>(std::clamp(std::floor(min_y), 0.0f, static_cast<float>(height - 1)));
  const int ymax = static_cast<int>(std::clamp(std::ceil(max_y), 0.0f, static_cast<float>(height - 1)));
  const int mw = xmax - xmin + 1, mh = ymax - ymin + 1;
  std::vector<uint8_t> mask(static_cast<size_t>(mw) * mh, 0);
  Contour shifted(polygon.size());
  for (size_t i = 0; i < polygon.size(); ++i) {
    // float32 subtraction, then truncation toward zero (numpy astype(int32))
    shifted[i].x = static_cast<int>(polygon[i].x - static_cast<float>(xmin));
    shifted[i].y = static_cast<int>(polygon[i].y - static_cast<float>(ymin));
  }
  fill_poly(mask, mw, mh, shifted);
  // cv2.mean: a double sum in row order, times the reciprocal of the count
  double sum = 0.0;
  size_t count = 0;
  for (int y = 0; y < mh; ++y) {
    const float* row = prob + static_cast<size_t>(y + ymin) * width + xmin;
    for (int x = 0; x < mw; ++x) {
      if (mask[static_cast<size_t>(y) * mw + x]) {
        sum += row[x];
        ++count;
      }
    }
  }
  return sum * (count ? 1.0 / static_cast<double>(count) : 0.0);
}

double polygon_area(const std::vector<PointF>& ring) {
  // GEOS Area::ofRing: shoelace with x shifted by the first x, for precision
  const std::vector<PointF> r = closed(ring);
  const size_t n = r.size();
  if (n < 3) return 0.0;
  double p0y = 0.0, p1x = r[0].x, p1y = r[0].y;
  const double x0 = p1x;
  double p2x = static_cast<double>(r[1].x) - x0, p2y = r[1].y;
  double sum = 0.0;
  for (size_t i = 1; i < n - 1; ++i) {
    p0y = p1y;
    p1x = p2x;
    p1y = p2y;
    p2x = static_cast<double>(r[i + 1].x) - x0;
    p2y = r[i + 1].y;
    sum += p1x * (p0y - p2y);
  }
  return std::fabs(sum / 2.0);
}

double polygon_length(const std::vector<PointF>& ring) {
  const std::vector<PointF> r = closed(ring);
  double len = 0.0;
  for (size_t i = 1; i < r.size(); ++i) {
    const double dx = static_cast<double>(r[i].x) - r[i - 1].x, dy = static_cast<double>(r[i].y) - r[i - 1].y;
    len += std::sqrt(dx * dx + dy * dy);
  }
  return len;
}

std::vector<Contour> unclip(const Quad& box, double unclip_ratio) {
  const std::vector<PointF> ring(box.begin(), box.end());
  const double distance = polygon_area(ring) * unclip_ratio / polygon_length(ring);
  ClipperLib::Path path;
  for (const PointF& p : box) {
    // pyclipper turns float coordinates into integers by truncation
    path.emplace_back(static_cast<ClipperLib::cInt>(p.x), static_cast<ClipperLib::cInt>(p.y));
  }
  ClipperLib::ClipperOffset offset;
  offset.AddPath(path, ClipperLib::jtRound, ClipperLib::etClosedPolygon);
  ClipperLib::Paths solution;
  offset.Execute(solution, distance);
  std::vector<Contour> out;
  for (const ClipperLib::Path& p : solution) {
    Contour c;
    for (const ClipperLib::IntPoint& q : p) c.push_back(PointI{static_cast<int>(q.X), static_cast<int>(q.Y)});
    out.push_back(std::move(c));
  }
  return out;
}

std::vector<DbBox> db_boxes(const float* prob, int height, int width, int src_height, int src_width,
                            const DbParams& params) {
  std::vector<uint8_t> bitmap(static_cast<size_t>(height) * width);
  for (size_t i = 0; i < bitmap.size(); ++i) bitmap[i] = prob[i] > params.thresh ? 1 : 0;
  if (params.use_dilation) {  // cv2.dilate with a 2x2 kernel: max over the pixel and its up/left neighbours
    std::vector<uint8_t> dilated(bitmap.size());
    for (int y = 0; y < height; ++y)
      for (int x = 0; x < width; ++x) {
        uint8_t v = 0;
        for (int dy = -1; dy <= 0; ++dy)
          for (int dx = -1; dx <= 0; ++dx)
            if (y + dy >= 0 && x + dx >= 0) v |= bitmap[static_cast<size_t>(y + dy) * width + x + dx];
        dilated[static_cast<size_t>(y) * width + x] = v;
      }
    bitmap.swap(dilated);
  }
  const std::vector<Contour> contours = find_contours(bitmap, width, height);
  std::vector<DbBox> boxes;
  const size_t candidates = std::min(contours.size(), static_cast<size_t>(std::max(params.max_candidates, 0)));
  for (size_t k = 0; k < candidates; ++k) {
    const Contour& contour = contours[k];
    const MiniBox mini = mini_box(contour);
    if (mini.short_side < kMinSize) continue;
    std::vector<PointF> score_polygon;
    if (params.score_fast) {
      score_polygon.assign(mini.points.begin(), mini.points.end());
    } else {
      for (const PointI& p : contour) score_polygon.push_back(PointF{static_cast<float>(p.x), static_cast<float>(p.y)});
    }
    const double score = box_score(prob, height, width, score_polygon);
    if (score < params.box_thresh) continue;
    const std::vector<Contour> expanded = unclip(mini.points, params.unclip_ratio);
    if (expanded.size() != 1) continue;  // the offset split or vanished: no single text region
    const MiniBox grown = mini_box(expanded[0]);
    if (grown.short_side < kMinSize + 2) continue;
    DbBox box;
    box.score = score;
    for (int i = 0; i < 4; ++i) {
      // float32 arithmetic, round half to even, clip, as numpy does on the float32 box
      float x = grown.points[i].x / static_cast<float>(width) * static_cast<float>(src_width);
      float y = grown.points[i].y / static_cast<float>(height) * static_cast<float>(src_height);
      x = std::clamp(std::nearbyint(x), 0.0f, static_cast<float>(src_width));
      y = std::clamp(std::nearbyint(y), 0.0f, static_cast<float>(src_height));
      box.points[i] = PointI{static_cast<int16_t>(x), static_cast<int16_t>(y)};
    }
    boxes.push_back(box);
  }
  return boxes;
}

}  // namespace edgeocr
