#include "check.h"
#include "edgeocr/geometry.h"
#include "edgeocr/preprocess.h"

using namespace edgeocr;

namespace {
Image gradient(int w, int h) {
  Image im(w, h);
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x)
      for (int c = 0; c < 3; ++c) im.row(y)[x * 3 + c] = static_cast<uint8_t>((x * 7 + y * 13 + c * 50) % 256);
  return im;
}
}  // namespace

TEST(order_points_puts_upper_left_first) {
  const Quad q = order_points_clockwise(Quad{PointF{50, 40}, PointF{10, 12}, PointF{52, 10}, PointF{8, 38}});
  CHECK_EQ(q[0].x, 10.0f);
  CHECK_EQ(q[1].x, 52.0f);
  CHECK_EQ(q[2].x, 50.0f);
  CHECK_EQ(q[3].x, 8.0f);
}

TEST(sorted_boxes_reads_lines_top_down_left_right) {
  auto box = [](float x, float y) { return Quad{PointF{x, y}, PointF{x + 20, y}, PointF{x + 20, y + 10}, PointF{x, y + 10}}; };
  // the right box of the first line sits 3 px higher than the left one
  const auto sorted = sorted_boxes({box(100, 50), box(0, 5), box(60, 2)});
  CHECK_EQ(sorted[0][0].x, 0.0f);
  CHECK_EQ(sorted[1][0].x, 60.0f);
  CHECK_EQ(sorted[2][0].y, 50.0f);
}

TEST(axis_aligned_crop_copies_pixels_exactly) {
  const Image im = gradient(64, 40);
  const Image crop = rotate_crop(im, Quad{PointF{10, 5}, PointF{50, 5}, PointF{50, 25}, PointF{10, 25}});
  CHECK_EQ(crop.width, 40);
  CHECK_EQ(crop.height, 20);
  bool same = true;
  for (int y = 0; y < 20; ++y)
    for (int x = 0; x < 40 * 3; ++x) same &= crop.row(y)[x] == im.row(y + 5)[10 * 3 + x];
  CHECK(same);
}

TEST(tall_crop_is_turned_counter_clockwise) {
  const Image im = gradient(64, 64);
  const Image crop = rotate_crop(im, Quad{PointF{10, 4}, PointF{20, 4}, PointF{20, 44}, PointF{10, 44}});
  CHECK_EQ(crop.width, 40);
  CHECK_EQ(crop.height, 10);
  // counter-clockwise: the crop's top-left pixel is the source box's top-right
  CHECK_EQ(static_cast<int>(crop.row(0)[0]), static_cast<int>(im.row(4)[19 * 3]));
}

TEST(det_target_size_rounds_to_the_stride) {
  CHECK(det_target_size(480, 640, 960, true) == std::make_pair(480, 640));
  CHECK(det_target_size(1000, 3000, 960, true) == std::make_pair(320, 960));
  CHECK(det_target_size(10, 10, 960, true) == std::make_pair(32, 32));
  CHECK(det_target_size(100, 200, 736, false) == std::make_pair(736, 1472));
}

TEST(line_batches_order_by_aspect_ratio_stably) {
  std::vector<Image> crops = {Image(100, 10), Image(20, 10), Image(100, 10), Image(50, 10)};
  const auto batches = line_batch_order(crops, 3);
  CHECK_EQ(batches.size(), size_t{2});
  CHECK_EQ(batches[0][0], size_t{1});
  CHECK_EQ(batches[0][1], size_t{3});
  CHECK_EQ(batches[0][2], size_t{0});
  CHECK_EQ(batches[1][0], size_t{2});
  CHECK_EQ(rec_batch_width(crops, batches[0], 32, 320), 320);
  CHECK_EQ(rec_batch_width(crops, batches[1], 32, 320), 320);
  crops.push_back(Image(400, 10));
  CHECK_EQ(rec_batch_width(crops, {4}, 32, 320), 1280);
}
