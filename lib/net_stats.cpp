#include "net_stats.hpp"

#include <dirent.h>

#include "text.hpp"

namespace cgview {

namespace {

// An interface's counters; false for an entry that has none (not an interface).
bool read_interface(const Sysroot& root, std::string_view name, NetInterface& out) {
  out = NetInterface{};
  out.name.add(name);
  PathText stats;
  stats.add("/sys/class/net/").add(name).add("/statistics");
  if (stats.overflowed()) return false;
  read_figure(root, stats.view(), "rx_bytes", out.rx_bytes);
  read_figure(root, stats.view(), "tx_bytes", out.tx_bytes);
  read_figure(root, stats.view(), "rx_packets", out.rx_packets);
  read_figure(root, stats.view(), "tx_packets", out.tx_packets);
  return out.rx_bytes.has || out.tx_bytes.has || out.rx_packets.has || out.tx_packets.has;
}

void add_figure(Figure& sum, const Figure& f) {
  if (f.has) sum.set(add_saturating(sum.value, f.value));
}

// No interface listed or summed yet.
void start_empty(NetStats& out) {
  out.has = false;
  out.count = 0;
  out.more = 0;
  out.rest = NetInterface{};
}

// Lists `iface` among the first kMaxInterfaces, or adds it to the rest.
void take(NetStats& out, const NetInterface& iface) {
  if (out.count < kMaxInterfaces && !iface.name.overflowed()) {
    out.interfaces[out.count++] = iface;
    return;
  }
  ++out.more;
  add_figure(out.rest.rx_bytes, iface.rx_bytes);
  add_figure(out.rest.tx_bytes, iface.tx_bytes);
  add_figure(out.rest.rx_packets, iface.rx_packets);
  add_figure(out.rest.tx_packets, iface.tx_packets);
}

// One line of /proc/net/dev: "  eth0: RX bytes packets errs drop fifo frame
// compressed multicast TX bytes packets ..." (a long name leaves no blank
// before its numbers; no interface name holds ':'). False for the headers.
bool parse_dev_line(std::string_view line, NetInterface& out) {
  size_t colon = find_char(line, ':');
  if (colon == line.size()) return false;
  std::string_view name = trim(line.substr(0, colon)), rest = line.substr(colon + 1), field;
  if (name.empty()) return false;
  uint64_t values[10] = {};
  int count = 0;
  while (count < 10 && next_field(rest, field))
    if (!parse_u64(field, values[count++])) return false;
  if (count < 10) return false;
  out = NetInterface{};
  out.name.add(name);
  out.rx_bytes.set(values[0]);
  out.rx_packets.set(values[1]);
  out.tx_bytes.set(values[8]);
  out.tx_packets.set(values[9]);
  return true;
}

// /proc/net/dev, which is /proc/self/net/dev: the interfaces of the network
// namespace the reading process is in. False where it cannot be read.
bool read_proc_net_dev(const Sysroot& root, NetStats& out) {
  int fd = open_host_file(root, "/proc/net/dev");
  if (fd < 0) return false;
  char buf[1024];
  LineReader reader(fd, buf);
  NetInterface iface;
  for (std::string_view line; reader.next_whole_line(line);)
    if (parse_dev_line(line, iface) && iface.name.view() != "lo") take(out, iface);
  bool read = !reader.failed();
  close_host_file(fd);
  return read;
}

}  // namespace

void read_net_stats(const Sysroot& root, NetStats& out) {
  start_empty(out);
  // /sys/class/net shows the namespace sysfs was mounted in, which a process
  // that entered another (unshare -n, nsenter -n) without mounting sysfs anew
  // is not in: it is read only where /proc/net/dev cannot be (a sysroot
  // without one).
  if (read_proc_net_dev(root, out)) {
    out.has = true;
    return;
  }
  start_empty(out);  // not what a read that failed part-way took
  NetInterface iface;
  out.has = for_each_dir_entry(root, "/sys/class/net", [&](const DirEntry& e) {
    // Interfaces are links (live) or directories (a copied tree); a plain file is not one.
    if (e.name == "lo" || e.type == DT_REG || !read_interface(root, e.name, iface)) return true;
    take(out, iface);
    return true;
  }) || out.count > 0;
}

}  // namespace cgview
