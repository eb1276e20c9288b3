// edgeocr-replay-runner (test only): the runner contract over ReplayInference, so the
// whole native runner runs here on recorded model outputs. Extra options:
//   --replay DIR          the recording (calls.json + tensors) [default: replay/ beside the runner's
//                         folder, i.e. <workdir>/replay when deploy put the runner in <workdir>/runner:
//                         that is how bench drives it on a device, which passes contract options only]
//   --replay-report FILE  where to write ReplayInference::report() after the run
//   --replay-delay-ms MS  creating the inference and every model call take MS (timing tests)
#include <chrono>
#include <fstream>
#include <sstream>
#include <string>

#include "edgeocr/error.h"
#include "replay_inference.h"
#include "runner.h"

namespace {
// <folder of the runner>/../replay
std::string default_recording(const char* argv0) {
  const std::string self(argv0);
  const size_t slash = self.rfind('/');
  return (slash == std::string::npos ? std::string(".") : self.substr(0, slash)) + "/../replay";
}

// The recorded runtime's version, so deploy's version checks pass as for the runtime recorded.
std::string recorded_version(const std::string& dir) {
  std::ifstream in(dir + "/calls.json", std::ios::binary);
  if (!in) return "replay";
  std::ostringstream ss;
  ss << in.rdbuf();
  return edgeocr::Json::parse(ss.str()).at("runtime_version").string();
}
}  // namespace

int main(int argc, char** argv) {
  using namespace edgeocr;
  const std::string fallback = default_recording(argv[0]);
  RunnerBackend backend;
  backend.name = "replay";
  backend.extra_options = {"replay", "replay-report", "replay-delay-ms"};
  backend.probe_version = [&fallback] { return recorded_version(fallback); };
  backend.create = [&fallback](const Bundle&, const RunnerOptions& o) -> std::unique_ptr<Inference> {
    const auto dir = o.extra.find("replay");
    const auto delay = o.extra.find("replay-delay-ms");
    return std::make_unique<ReplayInference>(
        dir == o.extra.end() ? fallback : dir->second,
        std::chrono::milliseconds(delay == o.extra.end() ? 0 : std::stoi(delay->second)));
  };
  backend.notes = {"test run: model outputs replayed from a recording, no inference"};
  backend.finish = [](const RunnerOptions& o, Inference& inference) {
    const auto path = o.extra.find("replay-report");
    if (path == o.extra.end()) return;
    std::ofstream(path->second) << static_cast<ReplayInference&>(inference).report().dump() << "\n";
  };
  return run_runner(argc, argv, backend);
}
