// edgeocr-replay-runner (test only): the runner contract over ReplayInference, so the
// whole native runner runs here on recorded model outputs. Extra options:
//   --replay DIR          the recording (calls.json + tensors)
//   --replay-report FILE  where to write ReplayInference::report() after the run
//   --replay-delay-ms MS  creating the inference and every model call take MS (timing tests)
#include <chrono>
#include <fstream>
#include <string>

#include "edgeocr/error.h"
#include "replay_inference.h"
#include "runner.h"

int main(int argc, char** argv) {
  using namespace edgeocr;
  RunnerBackend backend;
  backend.name = "replay";
  backend.extra_options = {"replay", "replay-report", "replay-delay-ms"};
  backend.probe_version = [] { return std::string("replay"); };
  backend.create = [](const Bundle&, const RunnerOptions& o) -> std::unique_ptr<Inference> {
    const auto dir = o.extra.find("replay");
    if (dir == o.extra.end()) throw Error(codes::kBadArgs, "the replay runner needs --replay DIR");
    const auto delay = o.extra.find("replay-delay-ms");
    return std::make_unique<ReplayInference>(
        dir->second, std::chrono::milliseconds(delay == o.extra.end() ? 0 : std::stoi(delay->second)));
  };
  backend.notes = {"test run: model outputs replayed from a recording, no inference"};
  backend.finish = [](const RunnerOptions& o, Inference& inference) {
    const auto path = o.extra.find("replay-report");
    if (path == o.extra.end()) return;
    std::ofstream(path->second) << static_cast<ReplayInference&>(inference).report().dump() << "\n";
  };
  return run_runner(argc, argv, backend);
}
