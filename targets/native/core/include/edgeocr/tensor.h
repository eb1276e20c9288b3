// A dense float32 tensor: model inputs (NCHW) and outputs, as the inference interface
// exchanges them.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace edgeocr {

struct Tensor {
  std::vector<int64_t> shape;
  std::vector<float> data;

  Tensor() = default;
  explicit Tensor(std::vector<int64_t> s) : shape(std::move(s)), data(count(shape), 0.0f) {}

  static size_t count(const std::vector<int64_t>& shape) {
    size_t n = 1;
    for (int64_t d : shape) n *= static_cast<size_t>(d);
    return n;
  }
  size_t numel() const { return count(shape); }
  std::string shape_string() const;
};

}  // namespace edgeocr
