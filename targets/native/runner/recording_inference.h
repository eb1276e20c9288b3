// --record DIR: every model call's input and output, written beside the result, in the format
// edgeocr/ocr/backends/recording.py reads (and the test replay runner replays):
//   calls.json  {"runtime_version", "models", "calls": [{"model", "image", "input_shape", "input",
//                "output_shape", "output"}, ...]}   written last, so a recording without it is incomplete
//   NNNN_<model>_in.f32 / _out.f32   raw little-endian float32 tensors
// `edgeocr verify` runs the host's models on exactly these inputs, so a difference in the
// outputs is the runtime's, never the pre-processing's.
#pragma once

#include <memory>
#include <string>

#include "edgeocr/inference.h"
#include "edgeocr/json.h"

namespace edgeocr {

class RecordingInference : public Inference {
 public:
  RecordingInference(std::unique_ptr<Inference> inner, std::string dir);

  bool has(Model model) const override { return inner_->has(model); }
  Tensor run(Model model, const Tensor& input) override;
  std::string runtime_version() const override { return inner_->runtime_version(); }

  // The image the following calls belong to (empty: model loading).
  void set_image(std::string name) { image_ = std::move(name); }
  // Writes calls.json; throws Error(output) when the folder cannot take it.
  void save() const;

 private:
  std::unique_ptr<Inference> inner_;
  std::string dir_;
  std::string image_;
  Json calls_ = Json::array();
  size_t count_ = 0;
};

}  // namespace edgeocr
