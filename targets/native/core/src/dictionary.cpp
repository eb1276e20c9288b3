#include "edgeocr/dictionary.h"

#include <fstream>
#include <sstream>

#include "edgeocr/error.h"

namespace edgeocr {

Dictionary Dictionary::load(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(codes::kModel, path + ": cannot read dictionary");
  std::ostringstream ss;
  ss << in.rdbuf();
  return from_text(ss.str(), path);
}

Dictionary Dictionary::from_text(const std::string& text, const std::string& name) {
  Dictionary d;
  d.path_ = name;
  d.classes_.push_back("<blank>");
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    std::string line = text.substr(start, end - start);
    while (!line.empty() && line.back() == '\r') line.pop_back();
    d.classes_.push_back(line);
    start = end + 1;
  }
  // "a\nb" and "a\nb\n" both hold two entries; "a\n\n" holds "a" and an empty one
  if (d.classes_.size() == 1) throw Error(codes::kModel, name + ": dictionary is empty");
  d.classes_.push_back(" ");
  return d;
}

void Dictionary::check_matches(size_t model_classes) const {
  if (model_classes == num_classes()) return;
  throw Error(codes::kModel, path_ + ": " + std::to_string(num_classes() - 2) + " entries give " +
                                      std::to_string(num_classes()) + " classes (blank + entries + space) but the rec model outputs " +
                                      std::to_string(model_classes) + " classes");
}

}  // namespace edgeocr
