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

// A line's fields, as /etc/passwd and /etc/group separate them by colons.
std::vector<std::string_view> fields_of(std::string_view line, char separator = ':') {
  std::vector<std::string_view> fields;
  for (size_t at = 0;;) {
    size_t end = line.find(separator, at);
    fields.push_back(line.substr(at, end == std::string_view::npos ? end : end - at));
    if (end == std::string_view::npos) return fields;
    at = end + 1;
  }
}

// Calls `each` with the fields of each line of `text` holding more than three.
template <typename Each>
void for_each_account(std::string_view text, Each each) {
  while (!text.empty()) {
    size_t end = text.find('\n');
    std::vector<std::string_view> fields = fields_of(text.substr(0, end));
    text.remove_prefix(end == std::string_view::npos ? text.size() : end + 1);
    if (fields.size() > 3 && !each(fields)) return;
  }
}

// The fields of the first line of /etc/passwd or /etc/group (name, password,
// id, ...) whose name is `name`, or whose id is `id` where that is given;
// empty where none is.
std::vector<std::string_view> account_line(std::string_view text, std::string_view name, std::optional<uint32_t> id) {
  std::vector<std::string_view> found;
  for_each_account(text, [&](const std::vector<std::string_view>& fields) {
    if (id ? as_id(fields[2]) == id : fields[0] == name) found = fields;
    return found.empty();
  });
  return found;
}

// The groups whose /etc/group line lists `user` among its members, as a
// container's runtime gives them to a user named without a group (runc's
// GetExecUser; docker's --group-add adds more, which doctor cannot see. More
// groups can allow less too: a member of a file's group is held to the
// group's bits, so mode 0701 lets others execute the file but not its group).
std::vector<gid_t> supplementary_groups(const RootFs& root, std::string_view user) {
  std::string text;
  root.read_file("/etc/group", kMaxAccountFileBytes, text);
  std::vector<gid_t> out;
  for_each_account(text, [&](const std::vector<std::string_view>& fields) {
    std::optional<uint32_t> gid = as_id(fields[2]);
    for (std::string_view member : fields_of(fields[3], ','))
      if (gid && member == user) out.push_back(*gid);
    return true;
  });
  return out;
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
  // Docker puts the runner's group among its supplementary ones too (the
  // Groups: line of /proc/self/status), so a setgid program, whose effective
  // group is the file's, still opens what the runner's own group may. USER:GROUP
  // gives that group alone: /etc/group's memberships count only for a user
  // named without one (`docker run --user app:sel`: Groups: sel).
  out.groups = {*gid};
  if (!entry.empty() && !group)
    for (gid_t member_of : supplementary_groups(root, entry[0]))
      if (member_of != *gid) out.groups.push_back(member_of);
  out.permitted = out.effective = out.uid == 0 ? ~uint64_t(0) : 0;
  return true;
}

}  // namespace cgview::cli
