#include "image_user.hpp"

#include <charconv>
#include <optional>
#include <vector>

namespace cgview::cli {

namespace {

constexpr size_t kMaxAccountFileBytes = 4 << 20;

// A decimal id, as the kernel takes one (below 2^32 - 1, which means none).
std::optional<uint32_t> as_id(std::string_view text) {
  uint32_t id = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), id);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size() || id == uint32_t(-1)) return std::nullopt;
  return id;
}

// The fields of the first line of /etc/passwd or /etc/group (name, password,
// id, ...) whose name is `name`, or whose id is `id` where that is given;
// empty where none is.
std::vector<std::string_view> account_line(std::string_view text, std::string_view name, std::optional<uint32_t> id) {
  while (!text.empty()) {
    size_t end = text.find('\n');
    std::string_view line = text.substr(0, end);
    text.remove_prefix(end == std::string_view::npos ? text.size() : end + 1);
    std::vector<std::string_view> fields;
    for (size_t at = 0;;) {
      size_t colon = line.find(':', at);
      fields.push_back(line.substr(at, colon == std::string_view::npos ? colon : colon - at));
      if (colon == std::string_view::npos) break;
      at = colon + 1;
    }
    if (fields.size() > 3 && (id ? as_id(fields[2]) == id : fields[0] == name)) return fields;
  }
  return {};
}

}  // namespace

bool is_user_spec(std::string_view spec) {
  size_t colon = spec.find(':');
  return spec.empty() || (colon != 0 && (colon == std::string_view::npos || colon + 1 < spec.size()));
}

bool runner_for_user(const RootFs& root, std::string_view spec, Runner& out, std::string& error) {
  if (spec.empty()) spec = "0";  // an image without USER (docker inspect prints nothing) runs as root
  size_t colon = spec.find(':');
  std::string_view user = spec.substr(0, colon);
  std::optional<std::string_view> group;
  if (colon != std::string_view::npos) group = spec.substr(colon + 1);
  if (user.empty() || (group && group->empty())) {
    error = "expects USER or USER:GROUP, each a name or a number";
    return false;
  }
  std::string passwd, groups;
  root.read_file("/etc/passwd", kMaxAccountFileBytes, passwd);
  std::optional<uint32_t> uid = as_id(user);
  std::vector<std::string_view> entry = account_line(passwd, user, uid);
  if (!uid && entry.empty()) {
    error = "no user " + std::string(user) + " in " + root.host("/etc/passwd");
    return false;
  }
  if (!uid) uid = as_id(entry[2]);
  std::optional<uint32_t> gid;
  if (group) {
    gid = as_id(*group);
    if (!gid) {
      root.read_file("/etc/group", kMaxAccountFileBytes, groups);
      std::vector<std::string_view> g = account_line(groups, *group, std::nullopt);
      if (!g.empty()) gid = as_id(g[2]);
      if (!gid) {
        error = "no group " + std::string(*group) + " in " + root.host("/etc/group");
        return false;
      }
    }
  } else {
    gid = entry.empty() ? std::optional<uint32_t>(0) : as_id(entry[3]);
  }
  if (!uid || !gid) {
    error = "names an id out of range";
    return false;
  }
  out = Runner{};
  out.uid = *uid;
  out.gid = *gid;
  out.permitted = out.uid == 0 ? ~uint64_t(0) : 0;
  return true;
}

}  // namespace cgview::cli
