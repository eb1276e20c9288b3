// Errors the runner and the app report to people: a machine-readable code plus a message
// naming the file or value at fault. The runner prints an uncaught Error as the contract's
// {"error": {"code", "message"}} object; the app shows the message.
#pragma once

#include <stdexcept>
#include <string>

namespace edgeocr {

class Error : public std::runtime_error {
 public:
  Error(std::string code, const std::string& message) : std::runtime_error(message), code_(std::move(code)) {}
  const std::string& code() const { return code_; }

 private:
  std::string code_;
};

// The runner contract's error codes (edgeocr/runner/contract.py EXIT_CODES), shared by the
// runner, the app and the tests.
namespace codes {
inline constexpr const char* kInternal = "internal";              // a bug: exit 1
inline constexpr const char* kBadArgs = "bad_args";               // command line / settings: exit 2
inline constexpr const char* kBadInput = "bad_input";             // an image or the images folder: exit 3
inline constexpr const char* kModel = "model";                    // a bundle file (models, dictionary, config): exit 4
inline constexpr const char* kRuntime = "runtime_mismatch";       // Paddle-Lite version != converter's: exit 5
inline constexpr const char* kMissingDependency = "missing_dependency";  // a library the runner needs: exit 6
inline constexpr const char* kOutput = "output";                  // the --out result file cannot be written: exit 7
}  // namespace codes

}  // namespace edgeocr
