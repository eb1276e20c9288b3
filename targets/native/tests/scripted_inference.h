// A stand-in Inference for tests: det answers two bright bars, cls "upright", rec the
// dictionary's first character on the first step. Records each call's model and shape.
#pragma once

#include <string>
#include <vector>

#include "edgeocr/inference.h"

namespace edgeocr {

class ScriptedInference : public Inference {
 public:
  explicit ScriptedInference(bool with_cls = true, int rec_classes = 5, std::string version = "scripted")
      : with_cls_(with_cls), rec_classes_(rec_classes), version_(std::move(version)) {}
  bool has(Model m) const override { return m != Model::Cls || with_cls_; }
  std::string runtime_version() const override { return version_; }
  Tensor run(Model m, const Tensor& in) override {
    calls.push_back(std::string(model_name(m)) + in.shape_string());
    if (m == Model::Det) {
      Tensor out({1, 1, in.shape[2], in.shape[3]});
      for (int64_t y = 0; y < in.shape[2]; ++y)
        for (int64_t x = 0; x < in.shape[3]; ++x) {
          const bool bar1 = y >= 8 && y < 18 && x >= 8 && x < 120;
          const bool bar2 = y >= 40 && y < 52 && x >= 16 && x < 60;
          out.data[static_cast<size_t>(y * in.shape[3] + x)] = bar1 || bar2 ? 0.9f : 0.0f;
        }
      return out;
    }
    if (m == Model::Cls) {
      Tensor out({in.shape[0], 2});
      for (int64_t n = 0; n < in.shape[0]; ++n) out.data[static_cast<size_t>(n * 2)] = 1.0f;
      return out;
    }
    const int64_t steps = in.shape[3] / 8;
    Tensor out({in.shape[0], steps, rec_classes_});
    for (int64_t n = 0; n < in.shape[0]; ++n)
      for (int64_t t = 0; t < steps; ++t) out.data[static_cast<size_t>((n * steps + t) * rec_classes_ + (t == 0 ? 1 : 0))] = 0.75f;
    return out;
  }
  std::vector<std::string> calls;

 private:
  bool with_cls_;
  int rec_classes_;
  std::string version_;
};

}  // namespace edgeocr
