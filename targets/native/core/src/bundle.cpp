#include "edgeocr/bundle.h"

#include <algorithm>
#include <fstream>
#include <sstream>
#include <sys/stat.h>
#include <vector>

#include "edgeocr/error.h"
#include "edgeocr/sha256.h"

namespace edgeocr {

namespace {
constexpr const char* kFormat = "edgeocr-bundle/1";

bool is_file(const std::string& path) {
  struct stat st {};
  return stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

Json read_json(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(codes::kModel, path + ": missing from bundle (not an edgeocr bundle?)");
  std::ostringstream ss;
  ss << in.rdbuf();
  try {
    return Json::parse(ss.str());
  } catch (const std::exception& e) {
    throw Error(codes::kModel, path + ": corrupt (" + e.what() + ")");
  }
}

const Json& field(const Json& obj, const std::string& key, const std::string& file) {
  const Json* v = obj.is_object() ? obj.find(key) : nullptr;
  if (!v) throw Error(codes::kModel, file + ": no \"" + key + "\" entry");
  return *v;
}

const std::string& text(const Json& v, const std::string& what, const std::string& file) {
  if (!v.is_string()) throw Error(codes::kModel, file + ": \"" + what + "\" must be a string");
  return v.string();
}
}  // namespace

std::string Bundle::model_path(Model model) const {
  const auto it = model_paths.find(model);
  if (it == model_paths.end()) throw Error(codes::kModel, dir + ": bundle has no " + model_name(model) + " model");
  return it->second;
}

Bundle load_bundle(const std::string& dir, bool verify_hashes) {
  Bundle b;
  b.dir = dir;
  const std::string config_path = dir + "/config.json", manifest_path = dir + "/manifest.json";
  const Json manifest = read_json(manifest_path);
  const Json config = read_json(config_path);

  const Json& format = field(manifest, "format", manifest_path);
  if (!format.is_string() || format.string() != kFormat)
    throw Error(codes::kModel, manifest_path + ": unknown bundle format (expected " + kFormat + ")");
  b.converter_version = text(field(field(manifest, "converter", manifest_path), "version", manifest_path),
                             "converter.version", manifest_path);
  const Json& target = field(manifest, "target", manifest_path);
  b.target = text(field(target, "name", manifest_path), "target.name", manifest_path);
  b.runtime = text(field(field(target, "runtime", manifest_path), "name", manifest_path), "target.runtime.name", manifest_path);

  const Json& models = field(config, "models", config_path);
  for (Model m : {Model::Det, Model::Cls, Model::Rec}) {
    const Json* file = models.is_object() ? models.find(model_name(m)) : nullptr;
    if (!file) {
      if (m == Model::Cls) continue;  // the classifier is optional
      throw Error(codes::kModel, config_path + ": no " + std::string(model_name(m)) + " model listed");
    }
    b.model_paths[m] = dir + "/" + text(*file, std::string("models.") + model_name(m), config_path);
  }
  b.dictionary_path = dir + "/" + text(field(config, "dictionary", config_path), "dictionary", config_path);
  b.ocr = ocr_config_from_json(field(config, "ocr", config_path));

  const Json& files = field(manifest, "files", manifest_path);
  if (!files.is_object()) throw Error(codes::kModel, manifest_path + ": \"files\" must be an object");
  for (const auto& [name, digest] : files.members()) {
    const std::string path = dir + "/" + name;
    if (!is_file(path)) throw Error(codes::kModel, path + ": missing from bundle");
    if (verify_hashes && sha256_file(path) != text(digest, "files." + name, manifest_path))
      throw Error(codes::kModel, path + ": does not match the bundle manifest (modified or truncated)");
  }
  for (const auto& [m, path] : b.model_paths)
    if (!is_file(path)) throw Error(codes::kModel, path + ": missing from bundle");
  if (!is_file(b.dictionary_path)) throw Error(codes::kModel, b.dictionary_path + ": missing from bundle");
  return b;
}

void check_bundle_runtime(const Bundle& bundle, const std::string& runtime) {
  if (bundle.runtime == runtime) return;
  throw Error(codes::kRuntime, bundle.dir + "/manifest.json: the bundle is for the " + bundle.runtime + " runtime (target " +
                                   bundle.target + "), but this runner runs " + runtime + "; use a " + bundle.runtime +
                                   " runner (edgeocr build-runner --runtime " + bundle.runtime + ") or convert for " + runtime +
                                   " (edgeocr convert --runtime " + runtime + ")");
}

void check_runtime_version(const Bundle& bundle, const std::string& runtime_version) {
  if (bundle.runtime == kOnnxRuntime) {
    if (version_at_least(runtime_version, bundle.converter_version)) return;
    throw Error(codes::kRuntime, bundle.dir + ": converted for ONNX Runtime " + bundle.converter_version + " but the library is " +
                                     runtime_version + "; use ONNX Runtime " + bundle.converter_version +
                                     " or newer, or re-convert the bundle for " + runtime_version);
  }
  if (bundle.converter_version == runtime_version) return;
  throw Error(codes::kRuntime, bundle.dir + ": converted by opt " + bundle.converter_version + " but the Paddle-Lite runtime is " +
                                   runtime_version + "; use the " + bundle.converter_version +
                                   " library or re-convert the bundle with the runtime's opt");
}

bool version_at_least(const std::string& version, const std::string& minimum) {
  // dotted decimal numbers, compared number by number; anything else is not a version
  const auto numbers = [](const std::string& v) {
    std::vector<long> parts;
    size_t start = 0;
    while (true) {
      const size_t dot = v.find('.', start);
      const std::string part = v.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
      if (part.empty() || part.find_first_not_of("0123456789") != std::string::npos)
        throw Error(codes::kRuntime, "\"" + v + "\" is not a version number (like 1.23.2)");
      parts.push_back(std::stol(part));
      if (dot == std::string::npos) return parts;
      start = dot + 1;
    }
  };
  const std::vector<long> have = numbers(version), need = numbers(minimum);
  return !std::lexicographical_compare(have.begin(), have.end(), need.begin(), need.end());
}

}  // namespace edgeocr
