// Paddle-Lite light API adapter. Compiled only with -DPADDLE_LITE_DIR (a release's cxx/
// folder); this machine has no ARM Paddle-Lite library, so this file is the one part of
// the native code the tests here cannot build or run (see targets/native/README.md).
#include "lite_inference.h"

#include <link.h>

#include <cstring>
#include <fstream>
#include <map>
#include <regex>
#include <sstream>

#include "edgeocr/error.h"
#include "paddle_api.h"

namespace edgeocr {

namespace {
namespace lite = paddle::lite_api;

lite::PowerMode power_mode(const std::string& name) {
  static const std::map<std::string, lite::PowerMode> kModes = {
      {"high", lite::LITE_POWER_HIGH},       {"low", lite::LITE_POWER_LOW},
      {"full", lite::LITE_POWER_FULL},       {"no_bind", lite::LITE_POWER_NO_BIND},
      {"rand_high", lite::LITE_POWER_RAND_HIGH}, {"rand_low", lite::LITE_POWER_RAND_LOW}};
  const auto it = kModes.find(name);
  if (it == kModes.end()) throw Error(codes::kBadArgs, "unknown power mode \"" + name + "\"");
  return it->second;
}

class LiteInference : public Inference {
 public:
  LiteInference(const Bundle& bundle, const LiteSettings& settings) {
    const lite::PowerMode mode = power_mode(settings.power_mode);
    for (const auto& [model, path] : bundle.model_paths) {
      lite::MobileConfig config;
      config.set_model_from_file(path);
      config.set_threads(settings.threads);
      config.set_power_mode(mode);
      std::shared_ptr<lite::PaddlePredictor> predictor;
      try {
        predictor = lite::CreatePaddlePredictor<lite::MobileConfig>(config);
      } catch (const std::exception& e) {
        throw Error(codes::kModel, path + ": Paddle-Lite cannot load it (" + e.what() + ")");
      }
      if (!predictor) throw Error(codes::kModel, path + ": Paddle-Lite cannot load it");
      predictors_[model] = predictor;
    }
    version_ = predictors_.begin()->second->GetVersion();
  }

  bool has(Model model) const override { return predictors_.count(model) != 0; }

  // One predictor per model, reused across input shapes: correct on ARM as long as the input
  // is resized for every batch, which this does explicitly.
  Tensor run(Model model, const Tensor& input) override {
    const auto it = predictors_.find(model);
    if (it == predictors_.end()) throw Error(codes::kModel, std::string("bundle has no ") + model_name(model) + " model");
    lite::PaddlePredictor& predictor = *it->second;
    auto in = predictor.GetInput(0);
    in->Resize(lite::shape_t(input.shape.begin(), input.shape.end()));
    std::memcpy(in->mutable_data<float>(), input.data.data(), input.data.size() * sizeof(float));
    predictor.Run();
    auto out = predictor.GetOutput(0);
    Tensor result;
    const lite::shape_t shape = out->shape();
    result.shape.assign(shape.begin(), shape.end());
    const float* data = out->data<float>();
    result.data.assign(data, data + result.numel());
    return result;
  }

  std::string runtime_version() const override { return version_; }

 private:
  std::map<Model, std::shared_ptr<lite::PaddlePredictor>> predictors_;
  std::string version_;
};
}  // namespace

std::unique_ptr<Inference> create_lite_inference(const Bundle& bundle, const LiteSettings& settings) {
  return std::make_unique<LiteInference>(bundle, settings);
}

std::string lite_library_version() {
  // the loaded copy of the library, wherever LD_LIBRARY_PATH (or the APK) put it
  std::string path;
  dl_iterate_phdr(
      [](dl_phdr_info* info, size_t, void* found) {
        const std::string name = info->dlpi_name ? info->dlpi_name : "";
        const std::string wanted = "libpaddle_light_api_shared.so";
        if (name.size() >= wanted.size() && name.compare(name.size() - wanted.size(), wanted.size(), wanted) == 0) {
          *static_cast<std::string*>(found) = name;
          return 1;
        }
        return 0;
      },
      &path);
  if (path.empty()) return "unknown";
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  const std::string bytes = ss.str();
  // the release tag (lite/core/version.h) is stored as its own NUL-terminated string
  static const std::regex kTag(R"(v\d+\.\d+(\.\d+)?(-[0-9A-Za-z.]+)?)");
  size_t start = 0;
  while (start < bytes.size()) {
    const size_t end = bytes.find('\0', start);
    const size_t stop = end == std::string::npos ? bytes.size() : end;
    if (stop - start >= 4 && stop - start <= 32 && bytes[start] == 'v' &&
        std::regex_match(bytes.begin() + static_cast<std::ptrdiff_t>(start), bytes.begin() + static_cast<std::ptrdiff_t>(stop), kTag))
      return bytes.substr(start, stop - start);
    start = stop + 1;
  }
  return "unknown";
}

}  // namespace edgeocr
