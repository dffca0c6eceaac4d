#include "doctor_output.hpp"

#include <algorithm>
#include <map>
#include <optional>

#include "json.hpp"
#include "text_columns.hpp"
#include "text_util.hpp"
#include "utf8.hpp"

namespace cgview::cli {

namespace {

void strings(Json& j, std::string_view key, const std::vector<std::string>& items) {
  j.open_array(key);
  for (const std::string& item : items) j.element(item);
  j.close_array();
}

// One program's verdict; a script's interpreter nested as its own.
void program_json(Json& j, const ProgramReport& r, std::string_view key = {}) {
  j.open(key);
  j.str("program", r.name).str("path", r.path).str("kind", kind_name(r.kind)).boolean("reached", r.reached);
  j.str_or_null("why_not", r.reached || r.why_not.empty() ? std::nullopt : std::optional<std::string>(r.why_not));
  strings(j, "reasons", r.reasons);
  if (r.kind == ProgramKind::Go)
    j.str_or_null("go_version", r.go_version.empty() ? std::nullopt : std::optional<std::string>(r.go_version));
  if (r.interpreter) program_json(j, *r.interpreter, "interpreter");
  strings(j, "asks", r.asks);
  strings(j, "served_paths", r.served_paths);
  j.boolean("container_aware", r.container_aware);
  j.boolean("preload_file_closed", r.list_closed);
  j.open_array("container_evidence");
  for (const Evidence& e : r.container_evidence) j.open().str("file", e.file).str("string", e.what).close();
  j.close_array();
  j.open_array("libraries");
  for (const Library& library : r.libraries)
    j.open()
        .str("name", library.name)
        .str_or_null("path", library.path.empty() ? std::nullopt : std::optional<std::string>(library.path))
        .close();
  j.close_array();
  j.str_or_null("asan_runtime", r.asan_runtime.empty() ? std::nullopt : std::optional<std::string>(r.asan_runtime));
  j.close();
}

}  // namespace

void print_doctor_json(std::FILE* out, const std::vector<ProgramReport>& reports, std::string_view root,
                       std::string_view library_path, std::string_view run_by) {
  size_t reached = 0;
  for (const ProgramReport& r : reports) reached += r.reached;
  Json j(true);
  j.open().str("root", root);
  j.str_or_null("library_path", library_path.empty() ? std::nullopt : std::optional<std::string>(library_path));
  j.str_or_null("user", run_by.empty() ? std::nullopt : std::optional<std::string>(run_by));
  j.open_array("programs");
  for (const ProgramReport& r : reports) program_json(j, r);
  j.close_array().num("reached", reached).num("not_reached", reports.size() - reached).close();
  std::fprintf(out, "%s\n", j.text().c_str());
}

namespace {

// Text for a terminal: a control character in a name (a #! line's '\r',
// from a file saved with Windows line ends) would move the cursor and
// garble the line, so it is written as an escape ("\r", "\x1b"). So are the
// C1 controls (U+0080-009F; U+009B is a CSI that some terminals act on),
// written "\u009b", and a byte 80-9F outside any UTF-8 sequence, "\x9b".
std::string printable(std::string_view text) {
  static const char kHex[] = "0123456789abcdef";
  auto hex = [&](unsigned c) { return std::string{kHex[(c >> 4) & 15], kHex[c & 15]}; };
  std::string out;
  while (!text.empty()) {
    const Utf8Step step = next_utf8(text);
    if (step.valid && step.code >= 0x80 && step.code <= 0x9f) {
      out += "\\u00" + hex(step.code);
    } else if (step.valid && step.length > 1) {
      out.append(text.substr(0, step.length));
    } else {
      for (unsigned char c : text.substr(0, step.length)) {
        if (c >= 0x20 && c != 0x7f && !(c >= 0x80 && c <= 0x9f)) out += char(c);
        else if (c == '\r') out += "\\r";
        else if (c == '\t') out += "\\t";
        else out += "\\x" + hex(c);
      }
    }
    text.remove_prefix(step.length);
  }
  return out;
}

}  // namespace

void print_doctor_text(std::FILE* out, const std::vector<ProgramReport>& reports, bool reasons,
                       std::string_view library_path, std::string_view run_by) {
  // The program column fits the longest path up to kMaxProgramColumn; a longer
  // one takes a line of its own, its columns on the next, so they stay aligned.
  constexpr size_t kMaxProgramColumn = 48;
  size_t width = 7;
  for (const ProgramReport& r : reports)
    width = std::max(width, std::min(terminal_columns(printable(r.path.empty() ? r.name : r.path)), kMaxProgramColumn));
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
    // Shown with the verdict, as a long table leaves the reasons out.
    for (const Library& library : r.libraries)
      if (library.path.empty()) detail += " [" + printable(library.name) + " not found]";
    if (terminal_columns(shown) > width) {
      std::fprintf(out, "%s\n", shown.c_str());
      shown.clear();
    }
    shown.append(width - terminal_columns(shown), ' ');  // printf pads by bytes, not columns
    std::fprintf(out, "%s  %-13s  %-7s  %s\n", shown.c_str(), kind_name(r.kind), r.reached ? "yes" : "NO",
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
  // Libraries were searched for with it: a verdict is read with it.
  if (!library_path.empty()) std::fprintf(out, "(LD_LIBRARY_PATH: %s)\n", printable(std::string(library_path)).c_str());
  if (!run_by.empty()) std::fprintf(out, "(run by %s)\n", std::string(run_by).c_str());
  // The reasons say so for each; a long table needs it said once.
  bool any_secure = std::any_of(reports.begin(), reports.end(), [](const ProgramReport& r) { return r.secure; });
  if (run_by.empty() && !reasons && any_secure)
    std::fprintf(out, "(setuid, setgid and capability programs judged as run by an ordinary user: --user names another runner)\n");
  if (!reasons && std::any_of(reports.begin(), reports.end(), [](const ProgramReport& r) { return r.list_closed; }))
    std::fprintf(out, "(/etc/ld.so.preload is closed to the runner judged for: the system-wide mode reaches none of "
                      "these programs, and those said to be reached, `cgview run` alone; `cgview doctor PROGRAM` "
                      "says why)\n");
}

}  // namespace cgview::cli
