#include "check.h"
#include "edgeocr/shapes.h"

using namespace edgeocr;

namespace {
std::vector<uint8_t> bitmap(int w, int h, const std::vector<std::array<int, 4>>& rects, uint8_t value = 1) {
  std::vector<uint8_t> b(static_cast<size_t>(w) * h, 0);
  for (const auto& r : rects)
    for (int y = r[1]; y < r[3]; ++y)
      for (int x = r[0]; x < r[2]; ++x) b[static_cast<size_t>(y) * w + x] = value;
  return b;
}
}  // namespace

TEST(filled_rectangle_gives_its_four_corners) {
  const auto contours = find_contours(bitmap(20, 10, {{{2, 3, 12, 8}}}), 20, 10);
  CHECK_EQ(contours.size(), size_t{1});
  CHECK_EQ(contours[0].size(), size_t{4});
  CHECK(contours[0][0] == (PointI{2, 3}));
  CHECK(contours[0][2] == (PointI{11, 7}));
}

TEST(holes_are_contours_too_and_newest_comes_first) {
  std::vector<uint8_t> b = bitmap(30, 20, {{{1, 1, 15, 15}}, {{20, 2, 25, 6}}});
  for (int y = 5; y < 9; ++y)
    for (int x = 5; x < 9; ++x) b[static_cast<size_t>(y) * 30 + x] = 0;
  const auto contours = find_contours(b, 30, 20);
  CHECK_EQ(contours.size(), size_t{3});  // outer, second outer, hole: reported in reverse
  CHECK(contours[0][0] == (PointI{4, 5}));  // a hole starts at the pixel left of it
  CHECK(contours[2][0] == (PointI{1, 1}));
}

TEST(border_touching_region_and_single_pixel) {
  const auto contours = find_contours(bitmap(8, 8, {{{0, 0, 8, 2}}, {{4, 5, 5, 6}}}, 255), 8, 8);
  CHECK_EQ(contours.size(), size_t{2});
  CHECK_EQ(contours[0].size(), size_t{1});
  CHECK(contours[0][0] == (PointI{4, 5}));
  CHECK(contours[1][0] == (PointI{0, 0}));
}

TEST(min_area_rect_of_axis_aligned_points) {
  const RotatedRect r = min_area_rect({{0, 0}, {10, 0}, {10, 4}, {0, 4}, {5, 2}});
  CHECK_EQ(r.center.x, 5.0f);
  CHECK_EQ(r.center.y, 2.0f);
  CHECK_EQ(std::min(r.width, r.height), 4.0f);
  CHECK_EQ(std::max(r.width, r.height), 10.0f);
}
