// The probes print one "key=value" per line; this reads that back.
#pragma once

#include <map>
#include <sstream>
#include <string>

namespace cgview::test {

using Values = std::map<std::string, std::string>;

inline Values parse_key_values(const std::string& out) {
  Values v;
  std::istringstream lines(out);
  std::string line;
  while (std::getline(lines, line)) {
    size_t eq = line.find('=');
    if (eq != std::string::npos) v[line.substr(0, eq)] = line.substr(eq + 1);
  }
  return v;
}

}  // namespace cgview::test
