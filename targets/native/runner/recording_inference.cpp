#include "recording_inference.h"

#include <cstdio>
#include <fstream>

#include "edgeocr/error.h"

namespace edgeocr {

namespace {
// The files are raw float32 in this machine's byte order: every target edgeocr builds for
// (aarch64, armv7, x86_64) is little-endian, which is what the reader expects.
void write_tensor(const std::string& path, const Tensor& t) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(t.data.data()), static_cast<std::streamsize>(t.data.size() * sizeof(float)));
  if (!out.flush()) throw Error(codes::kOutput, path + ": cannot write the recorded tensor");
}

Json shape_json(const std::vector<int64_t>& shape) {
  Json j = Json::array();
  for (int64_t d : shape) j.push(d);
  return j;
}
}  // namespace

RecordingInference::RecordingInference(std::unique_ptr<Inference> inner, std::string dir)
    : inner_(std::move(inner)), dir_(std::move(dir)) {}

Tensor RecordingInference::run(Model model, const Tensor& input) {
  Tensor output = inner_->run(model, input);
  char stem[64];
  std::snprintf(stem, sizeof(stem), "%04zu_%s", count_++, model_name(model));
  write_tensor(dir_ + "/" + stem + "_in.f32", input);
  write_tensor(dir_ + "/" + stem + "_out.f32", output);
  Json call = Json::object();
  call.set("model", model_name(model));
  call.set("image", image_.empty() ? Json() : Json(image_));
  call.set("input_shape", shape_json(input.shape));
  call.set("input", std::string(stem) + "_in.f32");
  call.set("output_shape", shape_json(output.shape));
  call.set("output", std::string(stem) + "_out.f32");
  calls_.push(call);
  return output;
}

void RecordingInference::save() const {
  Json models = Json::array();
  for (Model m : {Model::Det, Model::Cls, Model::Rec})
    if (inner_->has(m)) models.push(model_name(m));
  Json rec = Json::object();
  rec.set("runtime_version", inner_->runtime_version());
  rec.set("models", models);
  rec.set("calls", calls_);
  const std::string path = dir_ + "/calls.json";
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << rec.dump() << "\n";
  if (!out.flush()) throw Error(codes::kOutput, path + ": cannot write the recording");
}

}  // namespace edgeocr
