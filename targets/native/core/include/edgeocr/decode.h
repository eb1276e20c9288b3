// Model outputs -> labels and text: the direction classifier's arg-max and greedy CTC
// decoding (edgeocr/ocr/postprocess/cls.py and ctc.py).
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "edgeocr/dictionary.h"
#include "edgeocr/tensor.h"

namespace edgeocr {

struct ClsResult {
  int label = 0;  // 0: upright, 1: upside down (180 degrees)
  float score = 0.0f;
};

// One (label, score) per row of an [N, 2] softmax.
std::vector<ClsResult> decode_cls(const Tensor& probs);

struct TextResult {
  std::string text;
  float score = 0.0f;  // mean probability of the kept characters (0 when none)
};

// Best path per row of an [N, T, C] softmax: arg-max per step, merge repeats, drop blanks.
std::vector<TextResult> decode_ctc(const Tensor& probs, const Dictionary& dict);

// numpy's float32 mean (pairwise summation in float32, then one float32 division), so a
// score equals the Python pipeline's to the last bit and drop_score cuts the same lines.
float numpy_mean(const std::vector<float>& values);

}  // namespace edgeocr
