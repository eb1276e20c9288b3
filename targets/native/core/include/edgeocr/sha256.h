// SHA-256 of a file, to check bundle files against manifest.json before a model loads: a
// truncated .nb crashes Paddle-Lite instead of failing cleanly.
#pragma once

#include <string>

namespace edgeocr {

// Lower-case hex digest; throws Error(model) if the file cannot be read.
std::string sha256_file(const std::string& path);
std::string sha256_hex(const std::string& data);

}  // namespace edgeocr
