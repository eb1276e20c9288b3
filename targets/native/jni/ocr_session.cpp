#include "ocr_session.h"

#include "edgeocr/error.h"
#include "edgeocr/json.h"

namespace edgeocr {

OcrSession::OcrSession(const std::string& bundle_dir, const SessionSettings& settings, const InferenceFactory& factory)
    : bundle_(load_bundle(bundle_dir)) {
  if (settings.threads < 1 || settings.threads > 16) throw Error(codes::kBadArgs, "threads must be between 1 and 16");
  OcrConfig config = bundle_.ocr;
  config.det_limit_side_len = settings.det_long_side;
  config.det_limit_type = "max";
  config.validate();
  inference_ = factory(bundle_, settings);
  runtime_version_ = inference_->runtime_version();
  check_runtime_version(bundle_, runtime_version_);
  pipeline_ = std::make_unique<OcrPipeline>(*inference_, Dictionary::load(bundle_.dictionary_path), config, settings.mode);
}

std::string OcrSession::run_argb(const uint32_t* argb, int width, int height, double min_score) const {
  if (!argb || width <= 0 || height <= 0) throw Error(codes::kBadInput, "the image has no pixels");
  Image image(width, height);
  const size_t n = static_cast<size_t>(width) * height;
  for (size_t i = 0; i < n; ++i) {
    image.pixels[i * 3] = static_cast<uint8_t>(argb[i]);            // B
    image.pixels[i * 3 + 1] = static_cast<uint8_t>(argb[i] >> 8);   // G
    image.pixels[i * 3 + 2] = static_cast<uint8_t>(argb[i] >> 16);  // R
  }
  const OcrResult result = pipeline_->run(image);
  Json lines = Json::array();
  for (const OcrLine& line : result.lines) {
    if (line.score < min_score) continue;
    lines.push(line_json(line));
  }
  Json timings = Json::object();
  timings.set("det_pre", result.ms.det_pre);
  timings.set("det_infer", result.ms.det_infer);
  timings.set("det_post", result.ms.det_post);
  timings.set("cls", result.ms.cls);
  timings.set("rec", result.ms.rec);
  timings.set("total", result.ms.total);
  Json out = Json::object();
  out.set("width", width);
  out.set("height", height);
  out.set("lines", lines);
  out.set("timings_ms", timings);
  out.set("runtime_version", runtime_version_);
  return out.dump();
}

}  // namespace edgeocr
