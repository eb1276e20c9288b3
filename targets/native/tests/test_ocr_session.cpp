#include "check.h"
#include "edgeocr/error.h"
#include "edgeocr/json.h"
#include "edgeocr/sha256.h"
#include "ocr_session.h"
#include "scripted_inference.h"

using namespace edgeocr;

namespace {
std::string make_bundle() {
  const std::string dir = check::temp_dir();
  Json hashes = Json::object();
  for (const auto& [name, data] : std::map<std::string, std::string>{{"det.nb", "d"}, {"rec.nb", "r"}, {"keys.txt", "a\nb\nc\n"}}) {
    check::write_file(dir + "/" + name, data);
    hashes.set(name, sha256_hex(data));
  }
  check::write_file(dir + "/config.json", R"({"models": {"det": "det.nb", "rec": "rec.nb"}, "dictionary": "keys.txt", "ocr": {}})");
  Json manifest = Json::parse(R"({"format": "edgeocr-bundle/1", "target": {"name": "arm64-v8a", "runtime": {"name": "paddle-lite"}}, "converter": {"version": "v2.13-rc"}})");
  manifest.set("files", hashes);
  check::write_file(dir + "/manifest.json", manifest.dump());
  return dir;
}

InferenceFactory scripted(std::string version = "v2.13-rc") {
  return [version](const Bundle&, const SessionSettings&) { return std::make_unique<ScriptedInference>(false, 5, version); };
}
}  // namespace

TEST(session_runs_argb_pixels_and_filters_by_score) {
  SessionSettings settings;
  settings.mode = Mode::DetRec;
  const OcrSession session(make_bundle(), settings, scripted());
  std::vector<uint32_t> argb(160 * 64, 0xFF336699u);
  const Json result = Json::parse(session.run_argb(argb.data(), 160, 64, 0.5));
  CHECK_EQ(result.at("lines").items().size(), size_t{2});
  CHECK_EQ(result.at("lines").items()[0].at("text").string(), std::string("a"));
  CHECK(result.at("timings_ms").at("total").number() >= 0);
  CHECK_EQ(result.at("runtime_version").string(), std::string("v2.13-rc"));
  CHECK(Json::parse(session.run_argb(argb.data(), 160, 64, 0.8)).at("lines").items().empty());
}

TEST(session_reports_bad_settings_and_bundles_as_errors) {
  SessionSettings settings;
  settings.mode = Mode::DetRec;
  settings.threads = 0;
  CHECK_ERROR(OcrSession(make_bundle(), settings, scripted()), codes::kBadArgs, "threads");
  settings.threads = 2;
  settings.det_long_side = 8;
  CHECK_ERROR(OcrSession(make_bundle(), settings, scripted()), codes::kBadArgs, "det_limit_side_len");
  settings.det_long_side = 960;
  CHECK_ERROR(OcrSession(make_bundle(), settings, scripted("v2.12")), codes::kRuntime, "runtime is v2.12");
  settings.mode = Mode::DetClsRec;
  CHECK_ERROR(OcrSession(make_bundle(), settings, scripted()), codes::kModel, "needs a cls model");
  CHECK_ERROR(OcrSession(check::temp_dir(), settings, scripted()), codes::kModel, "manifest.json: missing");
}
