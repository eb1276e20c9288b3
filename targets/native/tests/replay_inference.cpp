#include "replay_inference.h"

#include <cmath>
#include <fstream>
#include <sstream>
#include <thread>

#include "edgeocr/error.h"

namespace edgeocr {

namespace {
Model model_of(const std::string& name) {
  for (Model m : {Model::Det, Model::Cls, Model::Rec})
    if (name == model_name(m)) return m;
  throw Error(codes::kInternal, "replay: unknown model " + name);
}

std::vector<int64_t> shape_of(const Json& j) {
  std::vector<int64_t> s;
  for (const Json& d : j.items()) s.push_back(static_cast<int64_t>(d.number()));
  return s;
}

std::vector<float> read_floats(const std::string& path, size_t count) {
  std::ifstream in(path, std::ios::binary);
  std::vector<float> v(count);
  in.read(reinterpret_cast<char*>(v.data()), static_cast<std::streamsize>(count * sizeof(float)));
  if (!in || in.peek() != EOF) throw Error(codes::kInternal, "replay: " + path + " does not hold " + std::to_string(count) + " floats");
  return v;
}

std::string shape_text(const std::vector<int64_t>& shape) {
  Tensor t;
  t.shape = shape;
  return t.shape_string();
}
}  // namespace

ReplayInference::ReplayInference(const std::string& dir, std::chrono::milliseconds delay) : dir_(dir), delay_(delay) {
  std::ifstream in(dir + "/calls.json", std::ios::binary);
  if (!in) throw Error(codes::kBadArgs, dir + "/calls.json: no replay recording there");
  std::ostringstream ss;
  ss << in.rdbuf();
  const Json rec = Json::parse(ss.str());
  runtime_version_ = rec.at("runtime_version").string();
  for (const Json& m : rec.at("models").items()) models_.insert(model_of(m.string()));
  for (const Json& c : rec.at("calls").items())
    calls_.push_back(Call{model_of(c.at("model").string()), shape_of(c.at("input_shape")), shape_of(c.at("output_shape")),
                          c.at("input").string(), c.at("output").string()});
  std::this_thread::sleep_for(delay_);
}

Tensor ReplayInference::run(Model model, const Tensor& input) {
  std::this_thread::sleep_for(delay_);
  // Built only on failure: a message per call would make the instructions a call costs depend
  // on its number's digits, and the instruction-count tests compare runs exactly.
  const auto where = [this] { return "replay call " + std::to_string(next_); };
  if (next_ >= calls_.size())
    throw Error(codes::kInternal, where() + ": the recording has only " + std::to_string(calls_.size()) + " calls, got another " +
                                      model_name(model) + " " + input.shape_string());
  const Call& call = calls_[next_];
  if (call.model != model || call.input_shape != input.shape)
    throw Error(codes::kInternal, where() + ": Python ran " + model_name(call.model) + " " + shape_text(call.input_shape) +
                                      ", C++ runs " + model_name(model) + " " + input.shape_string());
  ++next_;
  const std::vector<float> recorded = read_floats(dir_ + "/" + call.input_file, input.numel());
  Diff& d = diffs_[model];
  for (size_t i = 0; i < recorded.size(); ++i) {
    const double diff = std::fabs(static_cast<double>(recorded[i]) - input.data[i]);
    d.max_abs = std::max(d.max_abs, diff);
    d.sum_abs += diff;
  }
  d.values += recorded.size();
  Tensor out(call.output_shape);
  out.data = read_floats(dir_ + "/" + call.output_file, out.numel());
  return out;
}

Json ReplayInference::report() const {
  Json diffs = Json::object();
  for (const auto& [model, d] : diffs_) {
    Json j = Json::object();
    j.set("max_abs", d.max_abs);
    j.set("mean_abs", d.values ? d.sum_abs / static_cast<double>(d.values) : 0.0);
    j.set("values", d.values);
    diffs.set(model_name(model), j);
  }
  Json r = Json::object();
  r.set("calls", calls_.size());
  r.set("replayed", next_);
  r.set("input_diff", diffs);
  return r;
}

}  // namespace edgeocr
