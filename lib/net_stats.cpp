#include "net_stats.hpp"

#include <dirent.h>

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

}  // namespace

void read_net_stats(const Sysroot& root, NetStats& out) {
  out.has = false;
  out.count = 0;
  out.more = 0;
  out.rest = NetInterface{};
  NetInterface iface;
  out.has = for_each_dir_entry(root, "/sys/class/net", [&](const DirEntry& e) {
    // Interfaces are links (live) or directories (a copied tree); a plain file is not one.
    if (e.name == "lo" || e.type == DT_REG || !read_interface(root, e.name, iface)) return true;
    if (out.count < kMaxInterfaces && !iface.name.overflowed()) {
      out.interfaces[out.count++] = iface;
      return true;
    }
    ++out.more;
    add_figure(out.rest.rx_bytes, iface.rx_bytes);
    add_figure(out.rest.tx_bytes, iface.tx_bytes);
    add_figure(out.rest.rx_packets, iface.rx_packets);
    add_figure(out.rest.tx_packets, iface.tx_packets);
    return true;
  }) || out.count > 0;
}

}  // namespace cgview
