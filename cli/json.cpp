#include "json.hpp"

#include <cmath>
#include <cstdio>

namespace cgview::cli {

namespace {

// The length of the well-formed UTF-8 sequence at s[i] (1 for ASCII), or 0
// where the bytes there are not one: a stray continuation byte, a truncated
// or overlong sequence, a surrogate, or a code point past U+10FFFF.
size_t utf8_sequence_length(std::string_view s, size_t i) {
  auto byte = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  unsigned char lead = byte(i);
  if (lead < 0x80) return 1;
  size_t length = lead >= 0xc2 && lead <= 0xdf ? 2 : lead >= 0xe0 && lead <= 0xef ? 3 : lead >= 0xf0 && lead <= 0xf4 ? 4 : 0;
  if (length == 0 || i + length > s.size()) return 0;
  for (size_t k = 1; k < length; ++k)
    if ((byte(i + k) & 0xc0) != 0x80) return 0;
  unsigned char second = byte(i + 1);
  if (lead == 0xe0 && second < 0xa0) return 0;  // overlong
  if (lead == 0xed && second >= 0xa0) return 0;  // a surrogate
  if (lead == 0xf0 && second < 0x90) return 0;  // overlong
  if (lead == 0xf4 && second >= 0x90) return 0;  // past U+10FFFF
  return length;
}

}  // namespace

// JSON text must be UTF-8: a byte that is not part of a well-formed sequence
// (a cgroup or file name can hold any byte but '/' and NUL) becomes U+FFFD,
// as a reader decoding with replacement would show it.
std::string json_escape(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size();) {
    char c = s[i];
    size_t length = utf8_sequence_length(s, i);
    if (length == 0) {
      out += "\\ufffd";
      ++i;
      continue;
    }
    if (length > 1) {
      out.append(s.substr(i, length));
      i += length;
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
