// JNI glue of the Android demo: com.edgeocr.demo.OcrEngine's native methods over
// OcrSession. It converts types and turns every C++ error into a Java
// com.edgeocr.demo.OcrException carrying the message, so bad input shows up in the app as
// a message, never as a crash. The inference comes from create_app_inference (Paddle-Lite
// in the app: lite_factory.cpp).
#include <jni.h>

#include <memory>
#include <string>

#include "edgeocr/error.h"
#include "ocr_session.h"

namespace edgeocr {
std::unique_ptr<Inference> create_app_inference(const Bundle& bundle, const SessionSettings& settings);
}

namespace {
constexpr const char* kExceptionClass = "com/edgeocr/demo/OcrException";

std::string to_string(JNIEnv* env, jstring s) {
  if (!s) return "";
  const char* chars = env->GetStringUTFChars(s, nullptr);
  std::string out(chars ? chars : "");
  if (chars) env->ReleaseStringUTFChars(s, chars);
  return out;
}

void throw_java(JNIEnv* env, const std::string& message) {
  if (env->ExceptionCheck()) return;
  jclass cls = env->FindClass(kExceptionClass);
  if (cls) env->ThrowNew(cls, message.c_str());
}

// Runs `body`, turning C++ exceptions into OcrException; returns `fallback` after one.
template <typename T, typename F>
T guarded(JNIEnv* env, T fallback, F body) {
  try {
    return body();
  } catch (const edgeocr::Error& e) {
    throw_java(env, e.what());
  } catch (const std::bad_alloc&) {
    throw_java(env, "out of memory");
  } catch (const std::exception& e) {
    throw_java(env, std::string("internal error: ") + e.what());
  }
  return fallback;
}

// Java strings are modified UTF-8; build them from UTF-16 so any character (e.g. emoji) survives.
jstring to_java(JNIEnv* env, const std::string& utf8) {
  std::u16string utf16;
  for (size_t i = 0; i < utf8.size();) {
    const auto c = static_cast<unsigned char>(utf8[i]);
    uint32_t cp = c;
    size_t len = 1;
    if (c >= 0xF0) len = 4, cp = c & 0x07;
    else if (c >= 0xE0) len = 3, cp = c & 0x0F;
    else if (c >= 0xC0) len = 2, cp = c & 0x1F;
    for (size_t k = 1; k < len && i + k < utf8.size(); ++k) cp = (cp << 6) | (static_cast<unsigned char>(utf8[i + k]) & 0x3F);
    i += len;
    if (cp >= 0x10000) {
      cp -= 0x10000;
      utf16 += static_cast<char16_t>(0xD800 + (cp >> 10));
      utf16 += static_cast<char16_t>(0xDC00 + (cp & 0x3FF));
    } else {
      utf16 += static_cast<char16_t>(cp);
    }
  }
  return env->NewString(reinterpret_cast<const jchar*>(utf16.data()), static_cast<jsize>(utf16.size()));
}

edgeocr::OcrSession* session(jlong handle) { return reinterpret_cast<edgeocr::OcrSession*>(handle); }
}  // namespace

extern "C" {

JNIEXPORT jlong JNICALL Java_com_edgeocr_demo_OcrEngine_nativeCreate(JNIEnv* env, jclass, jstring bundle_dir, jint threads,
                                                                     jstring power_mode, jint det_long_side, jstring mode) {
  return guarded<jlong>(env, 0, [&]() -> jlong {
    edgeocr::SessionSettings settings;
    settings.threads = threads;
    settings.power_mode = to_string(env, power_mode);
    settings.det_long_side = det_long_side;
    const auto parsed = edgeocr::parse_mode(to_string(env, mode));
    if (!parsed) throw edgeocr::Error(edgeocr::codes::kBadArgs, "unknown run mode \"" + to_string(env, mode) + "\"");
    settings.mode = *parsed;
    auto s = std::make_unique<edgeocr::OcrSession>(to_string(env, bundle_dir), settings, edgeocr::create_app_inference);
    return reinterpret_cast<jlong>(s.release());
  });
}

JNIEXPORT jstring JNICALL Java_com_edgeocr_demo_OcrEngine_nativeRun(JNIEnv* env, jclass, jlong handle, jintArray argb, jint width,
                                                                   jint height, jfloat min_score) {
  return guarded<jstring>(env, nullptr, [&]() -> jstring {
    if (!handle) throw edgeocr::Error(edgeocr::codes::kBadArgs, "the OCR engine is closed");
    if (!argb || env->GetArrayLength(argb) < static_cast<jsize>(width) * height)
      throw edgeocr::Error(edgeocr::codes::kBadInput, "pixel array smaller than width x height");
    jint* pixels = env->GetIntArrayElements(argb, nullptr);
    std::string json;
    try {
      json = session(handle)->run_argb(reinterpret_cast<const uint32_t*>(pixels), width, height, min_score);
    } catch (...) {
      env->ReleaseIntArrayElements(argb, pixels, JNI_ABORT);
      throw;
    }
    env->ReleaseIntArrayElements(argb, pixels, JNI_ABORT);
    return to_java(env, json);
  });
}

JNIEXPORT jstring JNICALL Java_com_edgeocr_demo_OcrEngine_nativeRuntimeVersion(JNIEnv* env, jclass, jlong handle) {
  return guarded<jstring>(env, nullptr, [&]() -> jstring {
    if (!handle) throw edgeocr::Error(edgeocr::codes::kBadArgs, "the OCR engine is closed");
    return to_java(env, session(handle)->runtime_version());
  });
}

JNIEXPORT void JNICALL Java_com_edgeocr_demo_OcrEngine_nativeDestroy(JNIEnv*, jclass, jlong handle) {
  delete session(handle);
}

}  // extern "C"
