#include "check.h"
#include "edgeocr/json.h"

using edgeocr::Json;

TEST(json_round_trips_nested_values) {
  const Json j = Json::parse(R"({"a": [1, 2.5, -3e2, true, false, null], "b": {"c": "x\"y\\z\n"}, "d": "\u00e9\ud83d\ude00"})");
  CHECK_EQ(j.at("a").items().size(), size_t{6});
  CHECK_EQ(j.at("a").items()[2].number(), -300.0);
  CHECK_EQ(j.at("b").at("c").string(), std::string("x\"y\\z\n"));
  CHECK_EQ(j.at("d").string(), std::string("\xC3\xA9\xF0\x9F\x98\x80"));  // é and an emoji, as UTF-8
  CHECK_EQ(Json::parse(j.dump()).dump(), j.dump());
}

TEST(json_keeps_member_order_and_replaces_on_set) {
  Json j = Json::object();
  j.set("z", 1);
  j.set("a", 2);
  j.set("z", 3);
  j.set("f", 2.0);
  CHECK_EQ(j.dump(), std::string(R"({"z": 3, "a": 2, "f": 2.0})"));
  CHECK(Json::parse("[7, 7.0, 7e0]").items()[0].is_integer());
  CHECK(!Json::parse("[7, 7.0, 7e0]").items()[1].is_integer());
}

TEST(json_refuses_malformed_text_with_offset) {
  for (const char* bad : {"{\"a\": }", "[1, 2", "{\"a\" 1}", "tru", "\"unterminated", "{} x"}) {
    bool threw = false;
    try {
      Json::parse(bad);
    } catch (const std::runtime_error& e) {
      threw = std::string(e.what()).find("offset") != std::string::npos;
    }
    CHECK(threw);
  }
}

TEST(format_double_is_shortest_round_trip) {
  CHECK_EQ(edgeocr::format_double(0.1), std::string("0.1"));
  CHECK_EQ(edgeocr::format_double(12.0), std::string("12.0"));
  CHECK_EQ(edgeocr::format_double(0.912345), std::string("0.912345"));
  CHECK_EQ(edgeocr::format_double(1.0 / 3.0), std::string("0.3333333333333333"));
  CHECK_EQ(edgeocr::format_double(std::stod(edgeocr::format_double(2.0 / 3.0))), edgeocr::format_double(2.0 / 3.0));
}
