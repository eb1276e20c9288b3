// A deploy bundle as edgeocr/convert/bundle.py writes it: the det/cls/rec model files
// (det.nb ... for Paddle-Lite, det.onnx ... for ONNX Runtime: config.json names them), the
// dictionary, config.json (model files, dictionary, ocr settings) and manifest.json
// (format, target with its runtime, converter version, sha256 of every file).
#pragma once

#include <map>
#include <string>

#include "edgeocr/config.h"
#include "edgeocr/inference.h"

namespace edgeocr {

// The runtime names of target profiles and bundle manifests (edgeocr/targets.py RUNTIMES).
inline constexpr const char* kPaddleLite = "paddle-lite";
inline constexpr const char* kOnnxRuntime = "onnxruntime";

struct Bundle {
  std::string dir;
  std::map<Model, std::string> model_paths;  // cls may be absent
  std::string dictionary_path;
  OcrConfig ocr;
  std::string converter_version;  // the runtime version the models were converted for
  std::string target;             // e.g. arm64-v8a
  std::string runtime;            // manifest target.runtime.name: paddle-lite | onnxruntime

  std::string model_path(Model model) const;  // throws if the bundle has no such model
};

// Reads and checks a bundle folder; every problem is an Error(model) naming the file.
// With verify_hashes, each file is checked against manifest.json's sha256.
Bundle load_bundle(const std::string& dir, bool verify_hashes = true);

// A runner runs the models of its own runtime only: Paddle-Lite cannot read an .onnx file,
// and ONNX Runtime no .nb. Throws Error(runtime_mismatch) naming both runtimes.
void check_bundle_runtime(const Bundle& bundle, const std::string& runtime);

// Whether the loaded runtime can run the bundle (Error(runtime_mismatch) if not). Paddle-Lite
// crashes or returns garbage on a .nb written by another opt version, so it must be exactly
// the converter's; ONNX Runtime runs models made for its own or an older version (an ONNX
// opset, once supported, stays supported), so it must be at least the bundle's version.
void check_runtime_version(const Bundle& bundle, const std::string& runtime_version);

// Dotted decimal versions compared number by number ("1.23.10" >= "1.23.2"); throws
// Error(runtime_mismatch) for anything that is not one.
bool version_at_least(const std::string& version, const std::string& minimum);

}  // namespace edgeocr
