// The runner contract's command line (edgeocr/runner/contract.py build_parser): same
// option names, defaults and checks, so deploy and bench drive this runner like the
// Python one. Runners built for tests may accept extra options (`extra`).
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>

#include "edgeocr/json.h"
#include "edgeocr/pipeline.h"

namespace edgeocr {

struct RunnerOptions {
  bool probe = false;
  std::optional<std::string> bundle;
  std::string images;
  std::string out;
  int threads = 1;
  std::string power_mode = "high";
  int warmup = 1;
  int repeats = 10;
  Mode mode = Mode::DetClsRec;
  std::optional<std::string> record;         // --record DIR: every model call, for `edgeocr verify`
  std::map<std::string, std::string> extra;  // values of the runner-specific options

  Json to_json() const;  // the result's "options" object
};

// Power modes: Paddle-Lite's LITE_POWER_HIGH, _LOW, _FULL, _NO_BIND, _RAND_HIGH, _RAND_LOW.
extern const char* const kPowerModes[6];

// Throws Error(bad_args) naming the problem. `extra_names` are additional "--name VALUE" options.
RunnerOptions parse_options(int argc, const char* const* argv, const std::set<std::string>& extra_names = {});

}  // namespace edgeocr
