#include "options.h"

#include <cerrno>
#include <cstdlib>

#include "edgeocr/error.h"

namespace edgeocr {

const char* const kPowerModes[6] = {"high", "low", "full", "no_bind", "rand_high", "rand_low"};

namespace {
[[noreturn]] void bad(const std::string& message) { throw Error(codes::kBadArgs, "edgeocr-runner: " + message); }

int to_int(const std::string& name, const std::string& value) {
  errno = 0;
  char* end = nullptr;
  const long v = std::strtol(value.c_str(), &end, 10);
  if (value.empty() || *end != '\0' || errno == ERANGE || v < -2147483647L || v > 2147483647L)
    bad("argument --" + name + ": invalid int value: '" + value + "'");
  return static_cast<int>(v);
}
}  // namespace

Json RunnerOptions::to_json() const {
  Json j = Json::object();
  j.set("bundle", bundle ? Json(*bundle) : Json());
  j.set("images", images);
  j.set("out", out);
  j.set("threads", threads);
  j.set("power_mode", power_mode);
  j.set("warmup", warmup);
  j.set("repeats", repeats);
  j.set("mode", mode_name(mode));
  j.set("record", record ? Json(*record) : Json());
  return j;
}

RunnerOptions parse_options(int argc, const char* const* argv, const std::set<std::string>& extra_names) {
  static const std::set<std::string> kValued = {"bundle", "images", "out",     "threads", "power-mode",
                                                "warmup", "repeats", "mode", "record"};
  RunnerOptions o;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg.rfind("--", 0) != 0) bad("unrecognized arguments: " + arg);
    std::string name = arg.substr(2), value;
    const size_t eq = name.find('=');
    const bool inline_value = eq != std::string::npos;
    if (inline_value) {
      value = name.substr(eq + 1);
      name = name.substr(0, eq);
    }
    if (name == "probe" && !inline_value) {
      o.probe = true;
      continue;
    }
    if (!kValued.count(name) && !extra_names.count(name)) bad("unrecognized arguments: " + arg);
    if (!inline_value) {
      if (i + 1 >= argc) bad("argument --" + name + ": expected one argument");
      value = argv[++i];
    }
    if (name == "bundle") o.bundle = value;
    else if (name == "images") o.images = value;
    else if (name == "out") o.out = value;
    else if (name == "record") o.record = value;
    else if (name == "threads") o.threads = to_int(name, value);
    else if (name == "warmup") o.warmup = to_int(name, value);
    else if (name == "repeats") o.repeats = to_int(name, value);
    else if (name == "power-mode") {
      bool known = false;
      for (const char* m : kPowerModes) known |= value == m;
      if (!known) bad("argument --power-mode: invalid choice: '" + value + "' (choose from high, low, full, no_bind, rand_high, rand_low)");
      o.power_mode = value;
    } else if (name == "mode") {
      const auto m = parse_mode(value);
      if (!m) bad("argument --mode: invalid choice: '" + value + "' (choose from det_cls_rec, det_rec, rec)");
      o.mode = *m;
    } else {
      o.extra[name] = value;
    }
  }
  if (o.probe) return o;
  std::string missing;
  if (o.images.empty()) missing = "--images";
  if (o.out.empty()) missing += missing.empty() ? "--out" : " and --out";
  if (!missing.empty()) throw Error(codes::kBadArgs, "missing " + missing + " (or pass --probe)");
  if (o.threads < 1 || o.warmup < 0 || o.repeats < 1)
    throw Error(codes::kBadArgs, "threads >= 1, warmup >= 0 and repeats >= 1 are required (got " + std::to_string(o.threads) +
                                     ", " + std::to_string(o.warmup) + ", " + std::to_string(o.repeats) + ")");
  if (!o.bundle) throw Error(codes::kBadArgs, "the native runner runs a bundle: pass --bundle DIR");
  return o;
}

}  // namespace edgeocr
