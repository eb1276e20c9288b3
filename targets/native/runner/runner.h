// The runner contract (edgeocr/runner/contract.py) over the OCR core: one program shape
// for every inference backend. A backend supplies how to create its Inference and what it
// honestly applies; everything else (options, images, timing, JSON, errors) is here.
#pragma once

#include <functional>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "edgeocr/bundle.h"
#include "edgeocr/inference.h"
#include "options.h"

namespace edgeocr {

struct RunnerBackend {
  std::string name;                       // runner.backend in the result, e.g. "paddle-lite"
  std::string runtime;                    // the bundles it runs (manifest target.runtime.name); empty: any (replay)
  std::set<std::string> extra_options;    // backend-specific "--name VALUE" options
  std::function<std::string()> probe_version;  // runtime version for --probe (no model loaded)
  std::function<std::unique_ptr<Inference>(const Bundle&, const RunnerOptions&)> create;
  bool applies_threads = false;
  bool applies_power_mode = false;
  std::vector<std::string> notes;
  std::function<void(const RunnerOptions&, Inference&)> finish;  // after all images; may be empty
};

constexpr const char* kRunnerName = "edgeocr-native-runner";

// Runs the contract; returns the process exit status. Failures print the contract's error
// object as the last stdout line and leave --out unwritten.
int run_runner(int argc, const char* const* argv, const RunnerBackend& backend);

// VmHWM of this process in kB, or -1 where /proc/self/status has none.
long peak_rss_kb();

}  // namespace edgeocr
