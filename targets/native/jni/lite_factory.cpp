// The app's inference: Paddle-Lite over the bundle's .nb files with the user's threads and
// power mode. (Host tests link tests/jni_test_factory.cpp instead.)
#include "lite_inference.h"
#include "ocr_session.h"

namespace edgeocr {

std::unique_ptr<Inference> create_app_inference(const Bundle& bundle, const SessionSettings& settings) {
  return create_lite_inference(bundle, LiteSettings{settings.threads, settings.power_mode});
}

}  // namespace edgeocr
