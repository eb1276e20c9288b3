#include "check.h"
#include "edgeocr/bundle.h"
#include "edgeocr/error.h"
#include "edgeocr/sha256.h"

using namespace edgeocr;

namespace {
// A bundle folder with placeholder model files, laid out as edgeocr/convert/bundle.py writes
// it for `runtime` (Paddle-Lite: det.nb ..., ONNX Runtime: det.onnx ...) at `version`.
std::string make_bundle(bool with_cls = true, const std::string& runtime = kPaddleLite, const std::string& version = "v2.13-rc") {
  const std::string dir = check::temp_dir();
  const std::string suffix = runtime == kOnnxRuntime ? ".onnx" : ".nb";
  Json hashes = Json::object();
  Json models = Json::object();
  for (const char* task : {"det", "cls", "rec"}) {
    if (std::string(task) == "cls" && !with_cls) continue;
    check::write_file(dir + "/" + task + suffix, std::string(task) + "-bytes");
    hashes.set(task + suffix, sha256_hex(std::string(task) + "-bytes"));
    models.set(task, task + suffix);
  }
  check::write_file(dir + "/ppocr_keys_v1.txt", "a\nb\n");
  hashes.set("ppocr_keys_v1.txt", sha256_hex("a\nb\n"));
  Json config = Json::object();
  config.set("models", models);
  config.set("dictionary", "ppocr_keys_v1.txt");
  config.set("ocr", OcrConfig{}.to_json());
  check::write_file(dir + "/config.json", config.dump());
  Json manifest = Json::parse(R"({"format": "edgeocr-bundle/1", "target": {"name": "arm64-v8a", "runtime": {"name": ")" +
                              runtime + R"("}}, "converter": {"tool": "any", "version": ")" + version + R"("}})");
  manifest.set("files", hashes);
  check::write_file(dir + "/manifest.json", manifest.dump());
  return dir;
}
}  // namespace

TEST(bundle_loads_paths_config_and_versions) {
  const std::string dir = make_bundle();
  const Bundle b = load_bundle(dir);
  CHECK_EQ(b.model_path(Model::Cls), dir + "/cls.nb");
  CHECK_EQ(b.dictionary_path, dir + "/ppocr_keys_v1.txt");
  CHECK_EQ(b.converter_version, std::string("v2.13-rc"));
  CHECK_EQ(b.target, std::string("arm64-v8a"));
  check_runtime_version(b, "v2.13-rc");
  CHECK_ERROR(check_runtime_version(b, "v2.12"), codes::kRuntime, "converted by opt v2.13-rc but the Paddle-Lite runtime is v2.12");
  CHECK(!load_bundle(make_bundle(false)).model_paths.count(Model::Cls));
  CHECK_EQ(b.runtime, std::string(kPaddleLite));
  check_bundle_runtime(b, kPaddleLite);
  CHECK_ERROR(check_bundle_runtime(b, kOnnxRuntime), codes::kRuntime,
              "the bundle is for the paddle-lite runtime (target arm64-v8a), but this runner runs onnxruntime");
}

TEST(onnx_bundle_files_come_from_the_config_and_need_at_least_its_version) {
  const std::string dir = make_bundle(true, kOnnxRuntime, "1.23.2");
  const Bundle b = load_bundle(dir);
  CHECK_EQ(b.model_path(Model::Rec), dir + "/rec.onnx");
  CHECK_EQ(b.runtime, std::string(kOnnxRuntime));
  check_runtime_version(b, "1.23.2");
  check_runtime_version(b, "1.29.0");
  check_runtime_version(b, "1.23.10");
  CHECK_ERROR(check_runtime_version(b, "1.22.9"), codes::kRuntime,
              "converted for ONNX Runtime 1.23.2 but the library is 1.22.9; use ONNX Runtime 1.23.2 or newer");
  CHECK_ERROR(check_runtime_version(b, "1.23"), codes::kRuntime, "converted for ONNX Runtime 1.23.2 but the library is 1.23;");
  CHECK_ERROR(check_runtime_version(b, "v1.23.2"), codes::kRuntime, "\"v1.23.2\" is not a version number");
  CHECK_ERROR(check_bundle_runtime(b, kPaddleLite), codes::kRuntime, "the bundle is for the onnxruntime runtime");
}

TEST(bundle_problems_name_the_file) {
  std::string dir = make_bundle();
  std::remove((dir + "/rec.nb").c_str());
  CHECK_ERROR(load_bundle(dir), codes::kModel, "rec.nb: missing from bundle");
  dir = make_bundle();
  check::write_file(dir + "/det.nb", "det-byte");  // truncated
  CHECK_ERROR(load_bundle(dir), codes::kModel, "det.nb: does not match the bundle manifest");
  dir = make_bundle();
  check::write_file(dir + "/config.json", "{\"models\": ");
  CHECK_ERROR(load_bundle(dir), codes::kModel, "config.json: corrupt");
  CHECK_ERROR(load_bundle(check::temp_dir()), codes::kModel, "manifest.json: missing from bundle");
}
