// A small JSON writer for the CLI's --json outputs: objects written in order,
// numbers as numbers, null where a figure is absent. Heap use is fine here
// (the CLI never runs inside other programs).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace cgview::cli {

std::string json_escape(std::string_view s);

class Json {
 public:
  // `pretty`: two-space indented lines (show); else one line (stats' JSON lines).
  explicit Json(bool pretty) : pretty_(pretty) {}

  Json& open(std::string_view key = {});   // {"key": {   (no key at the top or in arrays)
  Json& close();                           // }
  Json& open_array(std::string_view key);  // "key": [
  Json& close_array();                     // ]
  Json& str(std::string_view key, std::string_view value);
  Json& str_or_null(std::string_view key, const std::optional<std::string>& value);
  Json& num(std::string_view key, uint64_t value);
  Json& num(std::string_view key, const std::optional<uint64_t>& value);
  // Floats rounded to `decimals` digits after the point, trailing zeros
  // dropped (but one kept: 2.0); null when absent or not finite.
  Json& real(std::string_view key, const std::optional<double>& value, int decimals = 3);
  Json& boolean(std::string_view key, bool value);
  Json& boolean(std::string_view key, const std::optional<bool>& value);
  Json& null(std::string_view key);
  Json& element(std::string_view value);  // a string in an array

  const std::string& text() const { return out_; }

 private:
  void begin_item(std::string_view key);
  std::string out_;
  bool pretty_;
  int depth_ = 0;
  bool first_ = true;  // nothing written yet at this depth
};

}  // namespace cgview::cli
