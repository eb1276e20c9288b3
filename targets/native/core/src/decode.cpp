#include "edgeocr/decode.h"

#include "edgeocr/error.h"

namespace edgeocr {

namespace {
constexpr size_t kPairwiseBlock = 128;  // numpy's PW_BLOCKSIZE

float pairwise_sum(const float* a, size_t n) {
  if (n < 8) {
    float res = 0.0f;
    for (size_t i = 0; i < n; ++i) res += a[i];
    return res;
  }
  if (n <= kPairwiseBlock) {
    float r[8];
    for (int j = 0; j < 8; ++j) r[j] = a[j];
    size_t i = 8;
    for (; i < n - (n % 8); i += 8)
      for (int j = 0; j < 8; ++j) r[j] += a[i + j];
    float res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
    for (; i < n; ++i) res += a[i];
    return res;
  }
  size_t half = n / 2;
  half -= half % 8;
  return pairwise_sum(a, half) + pairwise_sum(a + half, n - half);
}
}  // namespace

float numpy_mean(const std::vector<float>& values) {
  if (values.empty()) return 0.0f;
  return pairwise_sum(values.data(), values.size()) / static_cast<float>(values.size());
}

std::vector<ClsResult> decode_cls(const Tensor& probs) {
  if (probs.shape.size() != 2 || probs.shape[1] != 2)
    throw Error(codes::kModel, "cls model output has shape " + probs.shape_string() + ", expected [N, 2]");
  std::vector<ClsResult> out(static_cast<size_t>(probs.shape[0]));
  for (size_t n = 0; n < out.size(); ++n) {
    const float* row = probs.data.data() + n * 2;
    out[n].label = row[1] > row[0] ? 1 : 0;  // arg-max: the first of equal values wins
    out[n].score = row[out[n].label];
  }
  return out;
}

std::vector<TextResult> decode_ctc(const Tensor& probs, const Dictionary& dict) {
  if (probs.shape.size() != 3)
    throw Error(codes::kModel, "rec model output has shape " + probs.shape_string() + ", expected [N, T, C]");
  const size_t batch = static_cast<size_t>(probs.shape[0]), steps = static_cast<size_t>(probs.shape[1]);
  const size_t classes = static_cast<size_t>(probs.shape[2]);
  dict.check_matches(classes);
  std::vector<TextResult> out(batch);
  for (size_t n = 0; n < batch; ++n) {
    std::vector<float> kept;
    size_t prev = 0;
    for (size_t t = 0; t < steps; ++t) {
      const float* p = probs.data.data() + (n * steps + t) * classes;
      size_t best = 0;
      for (size_t c = 1; c < classes; ++c)
        if (p[c] > p[best]) best = c;
      if (best != 0 && (t == 0 || best != prev)) {
        out[n].text += dict.cls(best);
        kept.push_back(p[best]);
      }
      prev = best;
    }
    out[n].score = numpy_mean(kept);
  }
  return out;
}

}  // namespace edgeocr
