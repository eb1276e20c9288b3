#include "check.h"
#include "edgeocr/bundle.h"
#include "edgeocr/error.h"
#include "edgeocr/sha256.h"

using namespace edgeocr;

namespace {
// A bundle folder with placeholder model files, laid out as edgeocr/convert/bundle.py writes it.
std::string make_bundle(bool with_cls = true) {
  const std::string dir = check::temp_dir();
  const std::map<std::string, std::string> files = {
      {"det.nb", "det-bytes"}, {"rec.nb", "rec-bytes"}, {"ppocr_keys_v1.txt", "a\nb\n"}, {"cls.nb", "cls-bytes"}};
  Json hashes = Json::object();
  for (const auto& [name, data] : files) {
    if (name == "cls.nb" && !with_cls) continue;
    check::write_file(dir + "/" + name, data);
    hashes.set(name, sha256_hex(data));
  }
  Json models = Json::object();
  models.set("det", "det.nb");
  if (with_cls) models.set("cls", "cls.nb");
  models.set("rec", "rec.nb");
  Json config = Json::object();
  config.set("models", models);
  config.set("dictionary", "ppocr_keys_v1.txt");
  config.set("ocr", OcrConfig{}.to_json());
  check::write_file(dir + "/config.json", config.dump());
  Json manifest = Json::parse(R"({"format": "edgeocr-bundle/1", "target": {"name": "arm64-v8a"},
                                  "converter": {"tool": "paddle_lite_opt", "version": "v2.13-rc"}})");
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
