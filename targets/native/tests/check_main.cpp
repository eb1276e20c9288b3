#include <cstdio>
#include <cstdlib>
#include <exception>
#include <fstream>
#include <iostream>
#include <stdexcept>
#include <unistd.h>

#include "check.h"

namespace check {

namespace {
int failures_in_case = 0;
}

std::vector<Case>& registry() {
  static std::vector<Case> cases;
  return cases;
}

void fail(const char* file, int line, const std::string& what) {
  ++failures_in_case;
  std::cerr << "  " << file << ":" << line << ": " << what << "\n";
}

std::string temp_dir() {
  const char* base = std::getenv("TMPDIR");
  std::string pattern = std::string(base && *base ? base : "/tmp") + "/edgeocr_test_XXXXXX";
  if (!mkdtemp(pattern.data())) throw std::runtime_error("cannot create a temporary folder");
  return pattern;
}

void write_file(const std::string& path, const std::string& data) {
  std::ofstream out(path, std::ios::binary);
  out << data;
  if (!out) throw std::runtime_error("cannot write " + path);
}

}  // namespace check

int main(int argc, char** argv) {
  int passed = 0, failed = 0;
  for (const check::Case& c : check::registry()) {
    bool wanted = argc == 1;
    for (int i = 1; i < argc; ++i) wanted |= c.name == argv[i];
    if (!wanted) continue;
    check::failures_in_case = 0;
    try {
      c.body();
    } catch (const std::exception& e) {
      check::fail(__FILE__, __LINE__, std::string("uncaught exception: ") + e.what());
    }
    if (check::failures_in_case) {
      ++failed;
      std::cerr << "FAIL " << c.name << "\n";
    } else {
      ++passed;
    }
  }
  std::cout << passed << " passed, " << failed << " failed\n";
  return failed ? 1 : 0;
}
