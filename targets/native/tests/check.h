// A tiny test harness: TEST(name) registers a function, CHECK* record failures with their
// line, and the main (check_main.cpp) runs every test (or those named on the command line)
// and prints "N passed, M failed". No test framework is available for every target.
#pragma once

#include <functional>
#include <sstream>
#include <string>
#include <vector>

namespace check {

struct Case {
  std::string name;
  std::function<void()> body;
};

std::vector<Case>& registry();
void fail(const char* file, int line, const std::string& what);
std::string temp_dir();  // a fresh folder under $TMPDIR (or /tmp)
void write_file(const std::string& path, const std::string& data);

struct Registrar {
  Registrar(const char* name, std::function<void()> body) { registry().push_back({name, std::move(body)}); }
};

template <typename A, typename B>
void check_eq(const A& a, const B& b, const char* as, const char* bs, const char* file, int line) {
  if (a == b) return;
  std::ostringstream s;
  s << as << " == " << bs << " (" << a << " vs " << b << ")";
  fail(file, line, s.str());
}

}  // namespace check

#define CHECK_CONCAT2(a, b) a##b
#define CHECK_CONCAT(a, b) CHECK_CONCAT2(a, b)
#define TEST(name)                                                                   \
  static void name();                                                               \
  static check::Registrar CHECK_CONCAT(registrar_, name)(#name, name);              \
  static void name()
#define CHECK(cond) ((cond) ? (void)0 : check::fail(__FILE__, __LINE__, #cond))
#define CHECK_EQ(a, b) check::check_eq((a), (b), #a, #b, __FILE__, __LINE__)
// Runs `stmt`, which must throw edgeocr::Error with `want_code` and a message containing `want_text`.
#define CHECK_ERROR(stmt, want_code, want_text)                                                            \
  do {                                                                                           \
    try {                                                                                        \
      stmt;                                                                                      \
      check::fail(__FILE__, __LINE__, "no error from " #stmt);                                  \
    } catch (const edgeocr::Error& e) {                                                          \
      if (e.code() != (want_code) || std::string(e.what()).find(want_text) == std::string::npos)           \
        check::fail(__FILE__, __LINE__, std::string("unexpected error ") + e.code() + ": " + e.what()); \
    }                                                                                            \
  } while (0)
