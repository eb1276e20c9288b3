// The ONNX Runtime implementation of the core's Inference interface, over ORT's C API
// (one session per model file of the bundle). Kept free of onnxruntime_c_api.h so the
// runner includes it without the ONNX Runtime headers.
#pragma once

#include <memory>
#include <string>

#include "edgeocr/bundle.h"
#include "edgeocr/inference.h"

namespace edgeocr {

struct OrtSettings {
  int threads = 1;  // intra-op threads of every session (inter-op: 1, the models are sequential)
};

// One session per model of the bundle. Throws Error(runtime_mismatch) when the loaded library
// is older than the C API version this adapter was built to request, Error(model) when ONNX
// Runtime cannot load a model file or the model is not one float32 input -> float32 output.
std::unique_ptr<Inference> create_ort_inference(const Bundle& bundle, const OrtSettings& settings);

// GetVersionString() of libonnxruntime (e.g. "1.23.2"), loading it on first use; needs no
// model. Throws Error(missing_dependency) when the library cannot be loaded.
std::string ort_library_version();

}  // namespace edgeocr
