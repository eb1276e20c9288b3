// The narrow interface between the OCR core and a runtime: one pre-processed NCHW float32
// batch in, the model's raw output out (det: [N,1,H,W] probabilities, cls: [N,2] softmax,
// rec: [N,T,C] softmax). Everything before and after belongs to the core, so the
// Paddle-Lite adapter, the test replay and any future runtime are held to one contract.
#pragma once

#include <string>

#include "edgeocr/tensor.h"

namespace edgeocr {

enum class Model { Det, Cls, Rec };

const char* model_name(Model model);

class Inference {
 public:
  virtual ~Inference() = default;
  // Whether the bundle has this model (the classifier is optional).
  virtual bool has(Model model) const = 0;
  // Runs `model` on `input`; throws edgeocr::Error on failure.
  virtual Tensor run(Model model, const Tensor& input) = 0;
  // What the runtime reports about itself (Paddle-Lite: GetVersion()).
  virtual std::string runtime_version() const = 0;
};

}  // namespace edgeocr
