// Test-only Inference that answers from a recording of the Python pipeline: the model
// outputs it saw, call by call. The C++ pipeline must make the very same calls (model and
// input shape, in order) or replay fails naming the first difference; its inputs are
// compared with the recorded ones and the differences reported. This runs the whole
// native runner here, without Paddle-Lite, on real model outputs.
//
// For timing tests, `delay` stands in for a real runtime's cost: creating the inference
// (loading the models) and every call each take that long.
//
// Recording layout (tests/native/recording.py writes it):
//   calls.json  {"runtime_version": str, "models": ["det", "cls"?, "rec"],
//                "calls": [{"model", "input_shape", "input", "output_shape", "output"}, ...]}
//   *.f32       raw little-endian float32 tensors named by "input"/"output"
#pragma once

#include <chrono>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "edgeocr/inference.h"
#include "edgeocr/json.h"

namespace edgeocr {

class ReplayInference : public Inference {
 public:
  explicit ReplayInference(const std::string& dir, std::chrono::milliseconds delay = {});

  bool has(Model model) const override { return models_.count(model) != 0; }
  Tensor run(Model model, const Tensor& input) override;
  std::string runtime_version() const override { return runtime_version_; }

  // {"calls", "replayed", "input_diff": {model: {"max_abs", "mean_abs", "values"}}}
  Json report() const;

 private:
  struct Call {
    Model model;
    std::vector<int64_t> input_shape, output_shape;
    std::string input_file, output_file;
  };
  struct Diff {
    double max_abs = 0, sum_abs = 0;
    size_t values = 0;
  };

  std::string dir_;
  std::chrono::milliseconds delay_;
  std::string runtime_version_;
  std::set<Model> models_;
  std::vector<Call> calls_;
  size_t next_ = 0;
  std::map<Model, Diff> diffs_;
};

}  // namespace edgeocr
