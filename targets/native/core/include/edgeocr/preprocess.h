// Model inputs built exactly as PaddleOCR 2.x builds them (DetResizeForTest, NormalizeImage,
// resize_norm_img of predict_cls/predict_rec); mirrors edgeocr/ocr/preprocess.py.
#pragma once

#include <functional>
#include <utility>
#include <vector>

#include "edgeocr/image.h"
#include "edgeocr/tensor.h"

namespace edgeocr {

constexpr int kDetStride = 32;  // DB's backbone downsamples by 32

// (resize_h, resize_w) for an image of height x width; limit_type "max" or "min".
std::pair<int, int> det_target_size(int height, int width, int limit_side_len, bool limit_max);

// cv::resize(INTER_LINEAR) on 8-bit BGR, bit for bit: OpenCV's sample positions, 11-bit
// weights and its rounding of the vertical pass.
Image resize_bilinear(const Image& src, int width, int height);

// Resized, ImageNet-normalised 1x3xHxW det input (BGR channel order kept).
Tensor det_input(const Image& image, int resize_h, int resize_w);

// One line crop as 3 x height x width values in [-1, 1], right-padded with zeros,
// written at `out` (one slot of a batch).
void line_input(const Image& crop, int height, int width, float* out);

// Crop indices in batches of `batch_size`, ordered by width/height (stable), as PaddleOCR
// groups cls/rec inputs so that a batch's padding stays small.
std::vector<std::vector<size_t>> line_batch_order(const std::vector<Image>& crops, int batch_size);

// A whole batch: `indices` of `crops` at height x width.
Tensor line_batch(const std::vector<Image>& crops, const std::vector<size_t>& indices, int height, int width);

// Rec batch width: widest crop's aspect at the model height, never below the model width.
int rec_batch_width(const std::vector<Image>& crops, const std::vector<size_t>& indices, int height, int width);

}  // namespace edgeocr
