// The end-to-end OCR system over any Inference: detect -> crop -> classify direction ->
// recognise (edgeocr/ocr/system.py TextSystem), with the runner contract's three modes and
// stage timings. It returns every detected line; callers apply drop_score themselves.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "edgeocr/config.h"
#include "edgeocr/dictionary.h"
#include "edgeocr/image.h"
#include "edgeocr/inference.h"
#include "edgeocr/json.h"
#include "edgeocr/shapes.h"

namespace edgeocr {

enum class Mode { DetClsRec, DetRec, Rec };

const char* mode_name(Mode mode);
std::optional<Mode> parse_mode(const std::string& name);

struct OcrLine {
  Quad box;  // clockwise from top-left, whole pixels
  std::string text;
  float score = 0.0f;
};

// Wall time of each stage in milliseconds. det_post includes cutting out the line crops;
// stages a mode does not run stay 0.
struct StageTimes {
  double det_pre = 0, det_infer = 0, det_post = 0, cls = 0, rec = 0, total = 0;
};

struct OcrResult {
  std::vector<OcrLine> lines;
  StageTimes ms;
};

class OcrPipeline {
 public:
  // Runs every model `mode` uses once on a blank input, as TextSystem does, so loading never
  // lands in a timed stage; checks the dictionary against the rec model's classes and that
  // the bundle has a classifier when `mode` needs one (Error(model) otherwise).
  OcrPipeline(Inference& inference, Dictionary dict, OcrConfig config, Mode mode);

  OcrResult run(const Image& image) const;
  const OcrConfig& config() const { return config_; }
  Mode mode() const { return mode_; }

 private:
  std::vector<Quad> detect(const Image& image, StageTimes& ms) const;
  void classify(std::vector<Image>& crops) const;
  std::vector<std::pair<std::string, float>> recognize(const std::vector<Image>& crops) const;

  Inference& inference_;
  Dictionary dict_;
  OcrConfig config_;
  Mode mode_;
};

// One line as the runner contract writes it: {"box": [[x, y] x 4], "text", "score"}, the
// score rounded like Python's round(score, 6). Shared by the runner and the JNI glue.
Json line_json(const OcrLine& line);

}  // namespace edgeocr
