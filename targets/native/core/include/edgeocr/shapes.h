// Point types and the OpenCV shape routines DB post-processing depends on, re-implemented
// to give OpenCV's results bit for bit (same traversal orders, same float arithmetic),
// since a box the Python pipeline keeps must not be dropped here or vice versa.
#pragma once

#include <array>
#include <cstdint>
#include <vector>

namespace edgeocr {

struct PointI {
  int x = 0;
  int y = 0;
  bool operator==(const PointI& o) const { return x == o.x && y == o.y; }
};

struct PointF {
  float x = 0.0f;
  float y = 0.0f;
};

using Contour = std::vector<PointI>;
using Quad = std::array<PointF, 4>;  // clockwise from top-left unless said otherwise

struct RotatedRect {
  PointF center;
  float width = 0.0f;
  float height = 0.0f;
  float angle = 0.0f;  // degrees
};

// cv2.findContours(bitmap, RETR_LIST, CHAIN_APPROX_SIMPLE) on a 0/non-0 bitmap.
std::vector<Contour> find_contours(const std::vector<uint8_t>& bitmap, int width, int height);

// cv2.convexHull(points, clockwise): hull vertices, in OpenCV's order.
Contour convex_hull(const Contour& points, bool clockwise);

// cv2.minAreaRect / cv2.boxPoints.
RotatedRect min_area_rect(const Contour& points);
Quad box_points(const RotatedRect& rect);

// cv2.fillPoly(mask, [points], 1) with LINE_8 on a width x height 0/1 mask.
void fill_poly(std::vector<uint8_t>& mask, int width, int height, const Contour& points);

}  // namespace edgeocr
