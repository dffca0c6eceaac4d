#include "cpuinfo_lines.hpp"

#include "text.hpp"

namespace cgview {

namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// The decimal id that fills `s` (no sign, no spaces).
bool decimal(std::string_view s, uint64_t& out) {
  if (s.empty() || !is_digit(s.front())) return false;
  return parse_u64(s, out) && trim(s).size() == s.size();
}

// "Cpu12ClkTck", "Cpu3Bogo" (sparc's smp_bogo) or "CPU12" (its smp_info): the id.
bool sparc_tag(std::string_view key, uint64_t& id) {
  std::string_view rest;
  if (key.substr(0, 3) == "Cpu") rest = key.substr(3);
  else if (key.substr(0, 3) == "CPU") rest = key.substr(3);
  else return false;
  size_t digits = 0;
  while (digits < rest.size() && is_digit(rest[digits])) ++digits;
  if (digits == 0 || digits > 5) return false;
  std::string_view tail = rest.substr(digits);
  if (key[1] == 'P' && !tail.empty()) return false;  // "CPU12" only, not "CPU0 part"
  if (key[1] == 'p' && tail.empty()) return false;   // "Cpu12ClkTck": a name follows
  for (char c : tail)
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))) return false;
  return parse_u64(rest.substr(0, digits), id);
}

}  // namespace

CpuinfoLine classify_cpuinfo_line(std::string_view line) {
  CpuinfoLine out;
  if (line.empty()) {
    out.kind = CpuinfoKind::Blank;
    return out;
  }
  size_t colon = line.find(':');
  if (colon == std::string_view::npos) return out;
  std::string_view key = trim(line.substr(0, colon));
  size_t at = colon + 1;
  while (at < line.size() && (line[at] == ' ' || line[at] == '\t')) ++at;
  std::string_view value = line.substr(at);
  size_t digits = 0;
  while (digits < value.size() && is_digit(value[digits])) ++digits;
  out.value_at = at;
  out.value_end = at + digits;
  uint64_t n = 0;
  bool number = decimal(value.substr(0, digits), n) && trim(value.substr(digits)).empty();

  if (key.substr(0, 10) == "processor " || key.substr(0, 10) == "processor\t") {
    out.kind = decimal(trim(key.substr(10)), out.number) ? CpuinfoKind::CpuTagged : CpuinfoKind::Malformed;
    return out;
  }
  if (sparc_tag(key, out.number)) {
    out.kind = CpuinfoKind::CpuTagged;
    return out;
  }
  if (!number) {
    if (key == "processor" || key == "cpu number" || key == "# processors" || key == "ncpus active" ||
        key == "cpus active")
      out.kind = CpuinfoKind::Malformed;
    return out;
  }
  out.number = n;
  if (key == "processor") out.kind = CpuinfoKind::Processor;
  else if (key == "cpu number") out.kind = CpuinfoKind::CpuNumber;
  else if (key == "# processors" || key == "ncpus active" || key == "cpus active") out.kind = CpuinfoKind::Count;
  else if (key == "physical id") out.kind = CpuinfoKind::PhysicalId;
  else if (key == "core id") out.kind = CpuinfoKind::CoreId;
  else if (key == "siblings") out.kind = CpuinfoKind::Siblings;
  else if (key == "cpu cores") out.kind = CpuinfoKind::CpuCores;
  return out;
}

}  // namespace cgview
