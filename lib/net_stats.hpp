// The network the process sees: its namespace's interfaces' counters, for
// `cgview stats`.
#pragma once

#include <cstdint>

#include "host_files.hpp"
#include "stat_files.hpp"

namespace cgview {

struct NetInterface {
  FixedText<32> name;
  Figure rx_bytes, tx_bytes, rx_packets, tx_packets;
};
inline constexpr size_t kMaxInterfaces = 32;
struct NetStats {
  bool has = false;
  size_t count = 0;
  NetInterface interfaces[kMaxInterfaces];
  // Interfaces beyond the first kMaxInterfaces (a host's network namespace
  // can hold hundreds): how many, and their counters summed (`rest`'s name is empty).
  size_t more = 0;
  NetInterface rest;
};
// /proc/net/dev, loopback left out: the interfaces of the network namespace
// the process is in. Where it cannot be read (a sysroot without one),
// /sys/class/net/*/statistics (entries without statistics, such as the
// bonding driver's bonding_masters file, are no interfaces).
void read_net_stats(const Sysroot& root, NetStats& out);

}  // namespace cgview
