// edgeocr-runner: the runner contract on Paddle-Lite (the program deploy pushes to phones
// and boards, beside libpaddle_light_api_shared.so).
#include "lite_inference.h"
#include "runner.h"

int main(int argc, char** argv) {
  edgeocr::RunnerBackend backend;
  backend.name = edgeocr::kPaddleLite;
  backend.runtime = edgeocr::kPaddleLite;
  backend.probe_version = edgeocr::lite_library_version;
  backend.create = [](const edgeocr::Bundle& bundle, const edgeocr::RunnerOptions& o) {
    return edgeocr::create_lite_inference(bundle, edgeocr::LiteSettings{o.threads, o.power_mode});
  };
  backend.applies_threads = true;
  backend.applies_power_mode = true;
  return edgeocr::run_runner(argc, argv, backend);
}
