// The Paddle-Lite implementation of the core's Inference interface, over the light API
// (MobileConfig + .nb files). Kept free of paddle_api.h so the JNI glue and the runner can
// include it without the Paddle-Lite headers.
#pragma once

#include <memory>
#include <string>

#include "edgeocr/bundle.h"
#include "edgeocr/inference.h"

namespace edgeocr {

struct LiteSettings {
  int threads = 1;
  std::string power_mode = "high";  // high | low | full | no_bind | rand_high | rand_low
};

// One predictor per model of the bundle, created with `settings`. Throws Error(bad_args)
// for an unknown power mode and Error(model) when Paddle-Lite cannot create a predictor.
std::unique_ptr<Inference> create_lite_inference(const Bundle& bundle, const LiteSettings& settings);

// Version tag of the loaded libpaddle_light_api_shared.so, read from the library file
// itself (no model needed); "unknown" when it cannot be found.
std::string lite_library_version();

}  // namespace edgeocr
