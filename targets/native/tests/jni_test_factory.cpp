// Host-test inference for the JNI glue: ScriptedInference sized to the bundle's dictionary
// and reporting the bundle's own runtime version, so a JVM can drive the app's native
// library end to end here, without Paddle-Lite.
#include "edgeocr/dictionary.h"
#include "ocr_session.h"
#include "scripted_inference.h"

namespace edgeocr {

std::unique_ptr<Inference> create_app_inference(const Bundle& bundle, const SessionSettings&) {
  const int classes = static_cast<int>(Dictionary::load(bundle.dictionary_path).num_classes());
  return std::make_unique<ScriptedInference>(bundle.model_paths.count(Model::Cls) != 0, classes, bundle.converter_version);
}

}  // namespace edgeocr
