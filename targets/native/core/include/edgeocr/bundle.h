// A deploy bundle as edgeocr/convert/bundle.py writes it: det.nb cls.nb rec.nb, the
// dictionary, config.json (model files, dictionary, ocr settings) and manifest.json
// (format, target, converter version, sha256 of every file).
#pragma once

#include <map>
#include <string>

#include "edgeocr/config.h"
#include "edgeocr/inference.h"

namespace edgeocr {

struct Bundle {
  std::string dir;
  std::map<Model, std::string> model_paths;  // cls may be absent
  std::string dictionary_path;
  OcrConfig ocr;
  std::string converter_version;  // the opt that wrote the .nb files; the runtime must match it
  std::string target;             // e.g. arm64-v8a

  std::string model_path(Model model) const;  // throws if the bundle has no such model
};

// Reads and checks a bundle folder; every problem is an Error(model) naming the file.
// With verify_hashes, each file is checked against manifest.json's sha256.
Bundle load_bundle(const std::string& dir, bool verify_hashes = true);

// Paddle-Lite crashes or returns garbage on a .nb written by another opt version.
void check_runtime_version(const Bundle& bundle, const std::string& runtime_version);

}  // namespace edgeocr
