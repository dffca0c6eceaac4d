#include "json.hpp"

#include <cmath>
#include <cstdio>

#include "utf8.hpp"

namespace cgview::cli {

// JSON text must be UTF-8: bytes that are not part of a well-formed sequence
// (a cgroup or file name can hold any byte but '/' and NUL) become U+FFFD,
// as a reader decoding with replacement would show them.
std::string json_escape(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size();) {
    char c = s[i];
    const Utf8Step step = next_utf8(s.substr(i));
    if (!step.valid) {
      out += "\\ufffd";
      i += step.length;
      continue;
    }
    if (step.length > 1) {
      out.append(s.substr(i, step.length));
      i += step.length;
      continue;
    }
    ++i;
    if (c == '"' || c == '\\') out += '\\';
    if (static_cast<unsigned char>(c) < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", c);
      out += buf;
      continue;
    }
    out += c;
  }
  return out;
}

void Json::begin_item(std::string_view key) {
  if (!first_) out_ += ',';
  if (pretty_ && depth_ > 0) {
    out_ += '\n';
    out_.append(size_t(depth_) * 2, ' ');
  } else if (!first_) {
    out_ += ' ';
  }
  first_ = false;
  if (!key.empty()) {
    out_ += '"';
    out_ += json_escape(key);
    out_ += "\": ";
  }
}

Json& Json::open(std::string_view key) {
  if (depth_ > 0 || !out_.empty()) begin_item(key);
  out_ += '{';
  ++depth_;
  first_ = true;
  return *this;
}

Json& Json::close() {
  --depth_;
  if (pretty_ && !first_) {
    out_ += '\n';
    out_.append(size_t(depth_) * 2, ' ');
  }
  out_ += '}';
  first_ = false;
  return *this;
}

Json& Json::open_array(std::string_view key) {
  begin_item(key);
  out_ += '[';
  ++depth_;
  first_ = true;
  return *this;
}

Json& Json::close_array() {
  --depth_;
  if (pretty_ && !first_) {
    out_ += '\n';
    out_.append(size_t(depth_) * 2, ' ');
  }
  out_ += ']';
  first_ = false;
  return *this;
}

Json& Json::str(std::string_view key, std::string_view value) {
  begin_item(key);
  out_ += '"';
  out_ += json_escape(value);
  out_ += '"';
  return *this;
}

Json& Json::str_or_null(std::string_view key, const std::optional<std::string>& value) {
  return value ? str(key, *value) : null(key);
}

Json& Json::num(std::string_view key, uint64_t value) {
  begin_item(key);
  out_ += std::to_string(value);
  return *this;
}

Json& Json::num(std::string_view key, const std::optional<uint64_t>& value) {
  return value ? num(key, *value) : null(key);
}

Json& Json::real(std::string_view key, const std::optional<double>& value, int decimals) {
  if (!value || !std::isfinite(*value)) return null(key);
  begin_item(key);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, *value);
  // Shortest form that keeps a decimal point: 0.500 -> 0.5, 2.000 -> 2.0.
  std::string text = buf;
  if (text.find('.') != std::string::npos) {
    while (text.back() == '0') text.pop_back();
    if (text.back() == '.') text += '0';
  }
  out_ += text;
  return *this;
}

Json& Json::boolean(std::string_view key, bool value) {
  begin_item(key);
  out_ += value ? "true" : "false";
  return *this;
}

Json& Json::boolean(std::string_view key, const std::optional<bool>& value) {
  return value ? boolean(key, *value) : null(key);
}

Json& Json::null(std::string_view key) {
  begin_item(key);
  out_ += "null";
  return *this;
}

Json& Json::element(std::string_view value) { return str({}, value); }

}  // namespace cgview::cli
