#include "doctor_output.hpp"

#include <map>
#include "text_util.hpp"

namespace cgview::cli {

namespace {

std::string json_list(const std::vector<std::string>& items) {
  std::string out = "[";
  for (size_t i = 0; i < items.size(); ++i) out += (i ? ", " : "") + json_string(items[i]);
  return out + "]";
}

std::string program_json(const ProgramReport& r, const std::string& indent) {
  std::string in = indent + "  ";
  std::string out = "{\n";
  out += in + "\"program\": " + json_string(r.name) + ",\n";
  out += in + "\"path\": " + json_string(r.path) + ",\n";
  out += in + "\"kind\": " + json_string(kind_name(r.kind)) + ",\n";
  out += in + "\"reached\": " + (r.reached ? "true" : "false") + ",\n";
  out += in + "\"reasons\": " + json_list(r.reasons) + ",\n";
  if (r.kind == ProgramKind::Go) out += in + "\"go_version\": " + (r.go_version.empty() ? "null" : json_string(r.go_version)) + ",\n";
  if (r.interpreter) out += in + "\"interpreter\": " + program_json(*r.interpreter, in) + ",\n";
  out += in + "\"asks\": " + json_list(r.asks) + ",\n";
  out += in + "\"served_paths\": " + json_list(r.served_paths) + ",\n";
  out += in + "\"container_aware\": " + (r.container_aware ? "true" : "false") + ",\n";
  out += in + "\"container_evidence\": [";
  for (size_t i = 0; i < r.container_evidence.size(); ++i)
    out += std::string(i ? ", " : "") + "{\"file\": " + json_string(r.container_evidence[i].file) +
           ", \"string\": " + json_string(r.container_evidence[i].what) + "}";
  out += "],\n" + in + "\"libraries\": [";
  for (size_t i = 0; i < r.libraries.size(); ++i)
    out += std::string(i ? ", " : "") + "{\"name\": " + json_string(r.libraries[i].name) + ", \"path\": " +
           (r.libraries[i].path.empty() ? "null" : json_string(r.libraries[i].path)) + "}";
  out += "]\n" + indent + "}";
  return out;
}

}  // namespace

std::string json_string(std::string_view text) {
  std::string out = "\"";
  for (char c : text) {
    unsigned char u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (u < 0x20 || u == 0x7f) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", u);
      out += buf;
    } else {
      out += c;  // UTF-8 passes through; file names are bytes, shown as given
    }
  }
  return out + "\"";
}

void print_doctor_json(std::FILE* out, const std::vector<ProgramReport>& reports, std::string_view root) {
  size_t reached = 0;
  for (const ProgramReport& r : reports) reached += r.reached;
  std::fprintf(out, "{\n  \"root\": %s,\n  \"programs\": [", json_string(root).c_str());
  for (size_t i = 0; i < reports.size(); ++i)
    std::fprintf(out, "%s\n    %s", i ? "," : "", program_json(reports[i], "    ").c_str());
  std::fprintf(out, "%s],\n  \"reached\": %zu,\n  \"not_reached\": %zu\n}\n", reports.empty() ? "" : "\n  ", reached,
               reports.size() - reached);
}

namespace {

// Text for a terminal: a control character in a name (a #! line's '\r',
// from a file saved with Windows line ends) would move the cursor and
// garble the line, so it is written as an escape ("\r", "\x1b").
std::string printable(std::string_view text) {
  static const char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : text) {
    if (c >= 0x20 && c != 0x7f) out += char(c);
    else if (c == '\r') out += "\\r";
    else if (c == '\t') out += "\\t";
    else out += std::string("\\x") + kHex[c >> 4] + kHex[c & 15];
  }
  return out;
}

}  // namespace

void print_doctor_text(std::FILE* out, const std::vector<ProgramReport>& reports, bool reasons) {
  size_t width = 7;
  for (const ProgramReport& r : reports) width = std::max(width, std::min<size_t>(r.path.empty() ? r.name.size() : r.path.size(), 48));
  std::fprintf(out, "%-*s  %-13s  %-7s  %s\n", int(width), "PROGRAM", "KIND", "REACHED", "ASKS / WHY NOT");
  std::map<std::string, size_t> kinds;
  size_t reached = 0;
  for (const ProgramReport& r : reports) {
    ++kinds[kind_name(r.kind)];
    reached += r.reached;
    std::string shown = printable(r.path.empty() ? r.name : r.path);
    std::string detail = r.reached ? join(r.asks, ",") : printable(r.why_not);
    if (r.reached && !r.served_paths.empty()) detail += (detail.empty() ? "" : "; ") + std::string("names ") + join(r.served_paths, ",");
    if (r.container_aware) detail += " [container-aware]";
    std::fprintf(out, "%-*s  %-13s  %-7s  %s\n", int(width), shown.c_str(), kind_name(r.kind), r.reached ? "yes" : "NO",
                 detail.c_str());
    if (!reasons) continue;
    for (const std::string& why : r.reasons) std::fprintf(out, "    %s\n", printable(why).c_str());
    if (!r.go_version.empty()) std::fprintf(out, "    Go version: %s\n", r.go_version.c_str());
  }
  if (reports.size() > 1) {
    std::fprintf(out, "\n%zu programs: %zu reached, %zu not (", reports.size(), reached, reports.size() - reached);
    bool first = true;
    for (const auto& [kind, count] : kinds) {
      std::fprintf(out, "%s%zu %s", first ? "" : ", ", count, kind.c_str());
      first = false;
    }
    std::fprintf(out, ")\n");
  }
}

}  // namespace cgview::cli
