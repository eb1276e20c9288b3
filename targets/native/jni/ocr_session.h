// What the Android app's screen needs from the OCR core, without any JNI or Android type:
// open a bundle with the user's settings, run OCR on ARGB pixels (as Bitmap.getPixels gives
// them), get the result as JSON. The JNI glue (edgeocr_jni.cpp) only converts types, so
// everything here is tested on the host (tests/test_ocr_session.cpp).
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "edgeocr/bundle.h"
#include "edgeocr/dictionary.h"
#include "edgeocr/inference.h"
#include "edgeocr/pipeline.h"

namespace edgeocr {

struct SessionSettings {
  int threads = 2;
  std::string power_mode = "high";
  int det_long_side = 960;  // replaces the bundle's det_limit_side_len (limit type "max")
  Mode mode = Mode::DetClsRec;
};

// Creates the inference for a bundle: Paddle-Lite in the app (lite_factory.cpp), a fake in tests.
using InferenceFactory = std::function<std::unique_ptr<Inference>(const Bundle&, const SessionSettings&)>;

class OcrSession {
 public:
  // Loads and checks the bundle in `bundle_dir`, creates the inference and warms it up.
  // Throws edgeocr::Error (bad_args for settings, model / runtime_mismatch for the bundle).
  OcrSession(const std::string& bundle_dir, const SessionSettings& settings, const InferenceFactory& factory);

  // OCR of a width x height image given as 0xAARRGGBB pixels, row by row. Lines scoring
  // below `min_score` are left out. Returns
  // {"width", "height", "lines": [{"box", "text", "score"}], "timings_ms": {stage: ms},
  //  "runtime_version"}.
  std::string run_argb(const uint32_t* argb, int width, int height, double min_score) const;

  const std::string& runtime_version() const { return runtime_version_; }

 private:
  Bundle bundle_;
  std::unique_ptr<Inference> inference_;
  std::unique_ptr<OcrPipeline> pipeline_;
  std::string runtime_version_;
};

}  // namespace edgeocr
