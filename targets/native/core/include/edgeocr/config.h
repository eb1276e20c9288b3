// The OCR knobs, read from a bundle's config.json "ocr" object (Python OCRConfig.to_json()),
// with PaddleOCR's PP-OCRv2 defaults for anything absent.
#pragma once

#include <array>
#include <string>

#include "edgeocr/json.h"

namespace edgeocr {

struct OcrConfig {
  int det_limit_side_len = 960;
  std::string det_limit_type = "max";
  double det_db_thresh = 0.3;
  double det_db_box_thresh = 0.6;
  double det_db_unclip_ratio = 1.5;
  int det_db_max_candidates = 1000;
  std::string det_db_score_mode = "fast";
  bool use_dilation = false;
  std::array<int, 3> cls_image_shape{3, 48, 192};
  int cls_batch_num = 6;
  double cls_thresh = 0.9;
  std::array<int, 3> rec_image_shape{3, 32, 320};
  int rec_batch_num = 6;
  double drop_score = 0.5;

  // Throws Error(bad_args) for values the pipeline cannot run with.
  void validate() const;
  Json to_json() const;
};

// `ocr` is the "ocr" object of config.json; unknown keys are refused (a typo must not
// silently fall back to a default).
OcrConfig ocr_config_from_json(const Json& ocr);

}  // namespace edgeocr
