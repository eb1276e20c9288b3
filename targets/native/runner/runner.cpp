#include "runner.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <map>

#include "edgeocr/error.h"
#include "edgeocr/pipeline.h"
#include "edgeocr/work_marker.h"
#include "image_files.h"
#include "recording_inference.h"

#ifndef EDGEOCR_VERSION
#define EDGEOCR_VERSION "unknown"
#endif

namespace edgeocr {

namespace {
using Clock = std::chrono::steady_clock;

const std::map<std::string, int> kExitCodes = {{codes::kInternal, 1}, {codes::kBadArgs, 2},  {codes::kBadInput, 3},
                                               {codes::kModel, 4},    {codes::kRuntime, 5}, {codes::kMissingDependency, 6},
                                               {codes::kOutput, 7}};

double round_to(double v, double decimals) {
  const double scale = std::pow(10.0, decimals);
  return std::nearbyint(v * scale) / scale;
}

double ms_json(double ms) { return round_to(ms, 3); }

Json runner_json(const RunnerBackend& backend) {
  Json r = Json::object();
  r.set("name", kRunnerName);
  r.set("version", EDGEOCR_VERSION);
  r.set("backend", backend.name);
  return r;
}

Json stages_json(const StageTimes& ms, Mode mode, size_t lines) {
  Json run = Json::object();
  if (mode != Mode::Rec) {
    run.set("det_pre", ms_json(ms.det_pre));
    run.set("det_infer", ms_json(ms.det_infer));
    run.set("det_post", ms_json(ms.det_post));
  }
  if (mode == Mode::DetClsRec) run.set("cls", ms_json(ms.cls));
  run.set("rec", ms_json(ms.rec));
  run.set("rec_per_line", lines ? Json(ms_json(ms.rec / static_cast<double>(lines))) : Json());
  run.set("total", ms_json(ms.total));
  return run;
}

Json measure_image(const OcrPipeline& pipeline, const std::string& folder, const std::string& name, const RunnerOptions& o) {
  const Image image = read_image(folder + "/" + name);  // decoding is not OCR: outside the timed runs
  // Each run between work markers (edgeocr/work_marker.h), warm-up runs apart from timed ones.
  const auto marked_run = [&](edgeocr_work_scope scope, int i) {
    work_begin(scope, static_cast<uint32_t>(i));
    OcrResult result = pipeline.run(image);
    work_end(scope, static_cast<uint32_t>(i));
    return result;
  };
  Json warmup = Json::array();
  for (int i = 0; i < o.warmup; ++i) warmup.push(ms_json(marked_run(EDGEOCR_WORK_WARMUP, i).ms.total));
  Json runs = Json::array();
  std::vector<double> totals;
  std::vector<std::string> first_texts;
  bool consistent = true;
  OcrResult last;
  for (int i = 0; i < o.repeats; ++i) {
    last = marked_run(EDGEOCR_WORK_RUN, i);
    std::vector<std::string> texts;
    for (const OcrLine& l : last.lines) texts.push_back(l.text);
    if (i == 0) first_texts = texts;
    consistent &= texts == first_texts;
    runs.push(stages_json(last.ms, o.mode, last.lines.size()));
    totals.push_back(last.ms.total);
  }
  Json lines = Json::array();
  for (const OcrLine& l : last.lines) lines.push(line_json(l));
  std::sort(totals.begin(), totals.end());
  const size_t n = totals.size();
  const double median = n % 2 ? totals[n / 2] : (totals[n / 2 - 1] + totals[n / 2]) / 2;
  std::fprintf(stderr, "%s: %zu lines, median %.1f ms\n", name.c_str(), last.lines.size(), median);

  Json entry = Json::object();
  entry.set("image", name);
  entry.set("height", image.height);
  entry.set("width", image.width);
  entry.set("lines", lines);
  entry.set("consistent", consistent);
  entry.set("warmup_ms", warmup);
  entry.set("runs_ms", runs);
  return entry;
}

Error output_error(const std::string& path, int err) {
  return Error(codes::kOutput, path + ": cannot write the result file (" + std::strerror(err) + ")");
}

// The result appears whole or not at all, and stays after a power cut: written to a
// temporary file in the same folder (rename is atomic only within one file system; the pid
// keeps two runners writing beside each other apart), synced, renamed over `path`, and the
// folder synced so the rename itself is on disk.
void write_file_atomically(const std::string& path, const std::string& text) {
  const std::string tmp = path + ".tmp." + std::to_string(getpid());
  const int fd = open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) throw output_error(path, errno);
  int err = 0;
  for (size_t done = 0; done < text.size() && !err;) {
    const ssize_t n = write(fd, text.data() + done, text.size() - done);
    if (n >= 0)
      done += static_cast<size_t>(n);
    else if (errno != EINTR)
      err = errno;
  }
  if (!err && fsync(fd) != 0) err = errno;
  if (close(fd) != 0 && !err) err = errno;  // NFS reports some write errors only here
  if (!err && std::rename(tmp.c_str(), path.c_str()) != 0) err = errno;
  if (err) {
    unlink(tmp.c_str());
    throw output_error(path, err);
  }
  // The result is complete under its name by now: a folder that cannot be synced (some file
  // systems refuse, EINVAL) only risks the rename across a power cut, so it is not a failure.
  const size_t slash = path.rfind('/');
  const std::string folder = slash == std::string::npos ? "." : slash == 0 ? "/" : path.substr(0, slash);
  const int dir = open(folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir >= 0) {
    fsync(dir);
    close(dir);
  }
}

Json run(const RunnerOptions& o, const RunnerBackend& backend) {
  const std::vector<std::string> names = list_images(o.images);
  // Reading the bundle (sha256 of every file) is not initialisation: init_ms is the
  // contract's "load every model + one blank inference each", i.e. creating the inference
  // and the pipeline, whose constructor runs the blank inferences.
  const Bundle bundle = load_bundle(*o.bundle);
  if (!backend.runtime.empty()) check_bundle_runtime(bundle, backend.runtime);  // before its models reach the runtime
  Dictionary dictionary = Dictionary::load(bundle.dictionary_path);
  work_begin(EDGEOCR_WORK_INIT, 0);  // work markers (edgeocr/work_marker.h) enclose the timers
  const auto start = Clock::now();
  std::unique_ptr<Inference> inference = backend.create(bundle, o);
  Inference& runtime = *inference;
  RecordingInference* recorder = nullptr;  // --record: every call saved (slows the run; for verify, not timing)
  if (o.record) {
    auto recording = std::make_unique<RecordingInference>(std::move(inference), *o.record);
    recorder = recording.get();
    inference = std::move(recording);
  }
  const std::string runtime_version = inference->runtime_version();
  check_runtime_version(bundle, runtime_version);
  OcrPipeline pipeline(*inference, std::move(dictionary), bundle.ocr, o.mode);
  const double init_ms = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
  work_end(EDGEOCR_WORK_INIT, 0);

  Json images = Json::array();
  for (size_t i = 0; i < names.size(); ++i) {
    std::fprintf(stderr, "[%zu/%zu] ", i + 1, names.size());
    if (recorder) recorder->set_image(names[i]);
    work_begin(EDGEOCR_WORK_IMAGE, static_cast<uint32_t>(i));
    Json entry = measure_image(pipeline, o.images, names[i], o);
    work_end(EDGEOCR_WORK_IMAGE, static_cast<uint32_t>(i));
    images.push(std::move(entry));
  }
  if (recorder) recorder->save();
  if (backend.finish) backend.finish(o, runtime);

  Json applied = Json::object();
  applied.set("threads", backend.applies_threads);
  applied.set("power_mode", backend.applies_power_mode);
  Json notes = Json::array();
  for (const std::string& n : backend.notes) notes.push(n);
  const long rss = peak_rss_kb();

  Json result = Json::object();
  result.set("schema", "edgeocr-runner-result/1");
  result.set("runner", runner_json(backend));
  result.set("runtime_version", runtime_version);
  result.set("options", o.to_json());
  result.set("applied", applied);
  result.set("notes", notes);
  result.set("init_ms", ms_json(init_ms));
  result.set("peak_rss_kb", rss >= 0 ? Json(static_cast<int64_t>(rss)) : Json());
  result.set("drop_score", bundle.ocr.drop_score);
  result.set("images", images);
  return result;
}

int fail(const std::string& code, const std::string& message) {
  Json error = Json::object();
  error.set("code", code);
  error.set("message", message);
  Json wrapper = Json::object();
  wrapper.set("error", error);
  std::cout << wrapper.dump() << std::endl;
  const auto it = kExitCodes.find(code);
  return it == kExitCodes.end() ? 1 : it->second;
}
}  // namespace

long peak_rss_kb() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmHWM:", 0) == 0) return std::strtol(line.c_str() + 6, nullptr, 10);
  }
  return -1;
}

int run_runner(int argc, const char* const* argv, const RunnerBackend& backend) {
  try {
    const RunnerOptions o = parse_options(argc, argv, backend.extra_options);
    if (o.probe) {
      Json probe = Json::object();
      probe.set("schema", "edgeocr-runner-probe/1");
      probe.set("runner", runner_json(backend));
      probe.set("runtime_version", backend.probe_version());
      std::cout << probe.dump() << std::endl;
      return 0;
    }
    write_file_atomically(o.out, run(o, backend).dump() + "\n");
    return 0;
  } catch (const Error& e) {
    return fail(e.code(), e.what());
  } catch (const std::bad_alloc&) {
    return fail(codes::kInternal, "out of memory");
  } catch (const std::exception& e) {
    return fail(codes::kInternal, e.what());
  }
}

}  // namespace edgeocr
