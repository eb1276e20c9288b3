// Box geometry between detection and recognition (edgeocr/ocr/geometry.py): tidying the
// detected boxes, reading order, and cutting each box out upright.
#pragma once

#include <vector>

#include "edgeocr/db_postprocess.h"
#include "edgeocr/image.h"
#include "edgeocr/shapes.h"

namespace edgeocr {

// Top-left, top-right, bottom-right, bottom-left (the imutils rule PaddleOCR 2.x uses).
Quad order_points_clockwise(const Quad& points);

// Order, clip into the image (whole pixels) and drop boxes whose top or left edge is
// 3 px or shorter (PaddleOCR filter_tag_det_res).
std::vector<Quad> filter_det_boxes(const std::vector<DbBox>& boxes, int image_height, int image_width);

// Reading order: by top-left (y, then x), then PaddleOCR 2.x's single neighbour-swap pass.
std::vector<Quad> sorted_boxes(std::vector<Quad> boxes);

// The quadrilateral warped to an upright rectangle as get_rotate_crop_image does, bit for
// bit: cv::getPerspectiveTransform, then warpPerspective(INTER_CUBIC, BORDER_REPLICATE).
// Crops at least 1.5 times taller than wide are turned 90 degrees counter-clockwise.
Image rotate_crop(const Image& image, const Quad& box);

}  // namespace edgeocr
