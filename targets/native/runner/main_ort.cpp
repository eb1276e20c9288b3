// edgeocr-runner on ONNX Runtime: the runner contract over the ORT adapter (the program
// deploy pushes to boards and phones beside libonnxruntime). ONNX Runtime has no power
// modes; threads are the sessions' intra-op threads.
#include "ort_inference.h"
#include "runner.h"

int main(int argc, char** argv) {
  edgeocr::RunnerBackend backend;
  backend.name = edgeocr::kOnnxRuntime;
  backend.runtime = edgeocr::kOnnxRuntime;
  backend.probe_version = edgeocr::ort_library_version;
  backend.create = [](const edgeocr::Bundle& bundle, const edgeocr::RunnerOptions& o) {
    return edgeocr::create_ort_inference(bundle, edgeocr::OrtSettings{o.threads});
  };
  backend.applies_threads = true;
  backend.notes = {"power mode is recorded, not applied: ONNX Runtime has no power-mode setting"};
  return edgeocr::run_runner(argc, argv, backend);
}
