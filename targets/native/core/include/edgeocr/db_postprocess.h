// DB (Differentiable Binarization) boxes from the shrink-map probabilities, as PaddleOCR's
// DBPostProcess computes them (edgeocr/ocr/postprocess/db.py): binarise, trace contours,
// min-area rectangles, score on the map, unclip with Clipper, rescale to the image.
#pragma once

#include <string>
#include <vector>

#include "edgeocr/shapes.h"

namespace edgeocr {

struct DbParams {
  float thresh = 0.3f;  // compared in float32, as numpy compares a float32 map with a Python float
  double box_thresh = 0.6;
  int max_candidates = 1000;
  double unclip_ratio = 1.5;
  bool use_dilation = false;
  bool score_fast = true;  // "fast": mean under the box; "slow": mean under the contour
};

struct DbBox {
  std::array<PointI, 4> points;  // int16 range, clockwise from top-left, in the source image
  double score = 0.0;
};

// Boxes for a height x width probability map, in an image of src_height x src_width.
std::vector<DbBox> db_boxes(const float* prob, int height, int width, int src_height, int src_width,
                            const DbParams& params);

// Pieces exposed for the differential tests against OpenCV / pyclipper / shapely.
struct MiniBox {
  Quad points;  // top-left, top-right, bottom-right, bottom-left
  float short_side = 0.0f;
};
MiniBox mini_box(const Contour& contour);
double box_score(const float* prob, int height, int width, const std::vector<PointF>& polygon);
std::vector<Contour> unclip(const Quad& box, double unclip_ratio);
double polygon_area(const std::vector<PointF>& ring);    // shapely Polygon.area
double polygon_length(const std::vector<PointF>& ring);  // shapely Polygon.length

}  // namespace edgeocr
