// A small JSON value: enough to read a bundle's config.json/manifest.json and to write
// the runner's result. Written here instead of pulling a JSON library so the core builds
// with nothing but a C++17 compiler on every target (NDK, cross g++, host).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace edgeocr {

class Json {
 public:
  enum class Type { Null, Bool, Number, String, Array, Object };
  using Array = std::vector<Json>;
  using Object = std::vector<std::pair<std::string, Json>>;  // keeps insertion order for output

  Json() = default;
  Json(std::nullptr_t) {}
  Json(bool b) : type_(Type::Bool), bool_(b) {}
  Json(int v) : type_(Type::Number), number_(v), integer_(true) {}
  Json(int64_t v) : type_(Type::Number), number_(static_cast<double>(v)), integer_(true) {}
  Json(size_t v) : type_(Type::Number), number_(static_cast<double>(v)), integer_(true) {}
  Json(double v) : type_(Type::Number), number_(v) {}
  Json(const char* s) : type_(Type::String), string_(s) {}
  Json(std::string s) : type_(Type::String), string_(std::move(s)) {}
  static Json array() { Json j; j.type_ = Type::Array; return j; }
  static Json object() { Json j; j.type_ = Type::Object; return j; }

  Type type() const { return type_; }
  bool is_null() const { return type_ == Type::Null; }
  bool is_number() const { return type_ == Type::Number; }
  bool is_string() const { return type_ == Type::String; }
  bool is_array() const { return type_ == Type::Array; }
  bool is_object() const { return type_ == Type::Object; }
  bool is_bool() const { return type_ == Type::Bool; }
  // An integer (written without a fraction, e.g. 34588) rather than a float (34588.0):
  // JSON readers such as Python's keep the difference.
  bool is_integer() const { return type_ == Type::Number && integer_; }

  // Typed access; throws std::runtime_error naming the expected type.
  double number() const;
  bool boolean() const;
  const std::string& string() const;
  const Array& items() const;
  const Object& members() const;

  // Object access: find() returns nullptr when absent; at() throws naming the key.
  const Json* find(const std::string& key) const;
  const Json& at(const std::string& key) const;
  Json& set(const std::string& key, Json value);  // object: replace or append
  Json& push(Json value);                          // array: append

  static Json parse(const std::string& text);  // throws std::runtime_error with the offset
  std::string dump() const;                    // compact, UTF-8 kept as is

 private:
  Type type_ = Type::Null;
  bool bool_ = false;
  double number_ = 0.0;
  bool integer_ = false;
  std::string string_;
  Array array_;
  Object object_;
};

// Shortest decimal text that reads back as `value` (Python's repr of a float); integral
// values keep a ".0" so a float stays recognisable as one.
std::string format_double(double value);

}  // namespace edgeocr
