#include "stat_files.hpp"

#include "input_file.hpp"
#include "limits.hpp"

namespace cgview {

Number read_number(const Sysroot& root, std::string_view dir, std::string_view name, uint64_t& value) {
  char buf[64];
  std::string_view text = read_value_file(root, dir, name, buf);
  if (text == "max") return Number::Unlimited;
  if (!parse_u64(text, value)) return Number::Missing;
  return value >= kUnlimitedFrom ? Number::Unlimited : Number::Value;
}

Number read_number(const Sysroot& root, const CgroupDir& dir, std::string_view name, uint64_t& value) {
  return dir.found ? read_number(root, dir.path.view(), name, value) : Number::Missing;
}

void read_figure(const Sysroot& root, std::string_view dir, std::string_view name, Figure& out) {
  uint64_t v = 0;
  if (read_number(root, dir, name, v) == Number::Value) out.set(v);
}

void read_figure(const Sysroot& root, const CgroupDir& dir, std::string_view name, Figure& out) {
  if (dir.found) read_figure(root, dir.path.view(), name, out);
}

}  // namespace cgview
