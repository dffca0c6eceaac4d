// `cgview doctor --user`: a runner named as docker's USER names one, looked up
// in an image's /etc/passwd and /etc/group.
#include "image_user.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

using namespace cgview::cli;

namespace {

class ImageUser : public ::testing::Test {
 protected:
  void SetUp() override {
    char dir[] = "/tmp/cgview-image-user-XXXXXX";
    ASSERT_NE(mkdtemp(dir), nullptr);
    root_dir_ = dir;
    std::filesystem::create_directories(root_dir_ + "/etc");
    std::ofstream(root_dir_ + "/etc/passwd") << "root:x:0:0:root:/root:/bin/bash\n"
                                                "daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n"
                                                "app:x:1000:1001::/home/app:/bin/sh\n"
                                                "ops:x:1002:102::/:/bin/sh\n"
                                                "broken line\n";
    std::ofstream(root_dir_ + "/etc/group") << "root:x:0:\nshadow:x:42:\napp:x:1001:\nmessagebus:x:102:daemon,app,ops\n"
                                             "staff:x:50:appx,app\nbroken:x:\nodd:x:nan:app\n";
  }
  void TearDown() override { std::filesystem::remove_all(root_dir_); }

  // "uid:gid", or "error: ..."
  std::string runner(std::string_view spec) {
    Runner r;
    std::string error;
    if (!runner_for_user(RootFs(root_dir_), spec, r, error)) return "error: " + error;
    std::string groups;
    for (gid_t g : r.groups) groups += " +" + std::to_string(g);
    return std::to_string(r.uid) + ":" + std::to_string(r.gid) + groups + (r.permitted != 0 ? " all capabilities" : "");
  }

  std::string root_dir_;
};

}  // namespace

TEST_F(ImageUser, NamesAndNumbersAsDockerTakesThem) {
  EXPECT_EQ(runner("root"), "0:0 +0 all capabilities");
  EXPECT_EQ(runner("0"), "0:0 +0 all capabilities");
  // The primary group from /etc/passwd, first among the supplementary ones as docker gives them
  // (Groups: 1001 102 50), the others from /etc/group.
  EXPECT_EQ(runner("app"), "1000:1001 +1001 +102 +50");
  EXPECT_EQ(runner("1000"), "1000:1001 +1001 +102 +50");  // a number /etc/passwd has: its groups too
  EXPECT_EQ(runner("01000"), "1000:1001 +1001 +102 +50");
  EXPECT_EQ(runner("4242"), "4242:0 +0");  // a number it lacks: group 0
  // An explicit group is the only one: docker run --user app:sel gives Groups: sel.
  EXPECT_EQ(runner("app:shadow"), "1000:42 +42");
  EXPECT_EQ(runner("1000:42"), "1000:42 +42");
  EXPECT_EQ(runner("app:app"), "1000:1001 +1001");
  EXPECT_EQ(runner("daemon:7"), "1:7 +7");
  EXPECT_EQ(runner("daemon"), "1:1 +1 +102");
  EXPECT_EQ(runner("ops"), "1002:102 +102");  // a member of its own group: once
  EXPECT_EQ(runner(""), "0:0 +0 all capabilities");  // an image without USER: docker inspect prints nothing
}

TEST_F(ImageUser, WhatNamesNoRunnerIsRefused) {
  EXPECT_EQ(runner("nobody"), "error: no user nobody in " + root_dir_ + "/etc/passwd");  // the root's file
  EXPECT_EQ(runner("app:wheel"), "error: no group wheel in " + root_dir_ + "/etc/group");
  EXPECT_EQ(runner("app:"), "error: expects USER or USER:GROUP, each a name or a number");
  EXPECT_EQ(runner(":0"), "error: expects USER or USER:GROUP, each a name or a number");
  EXPECT_EQ(runner("4294967295"), "error: no user 4294967295 in " + root_dir_ + "/etc/passwd");  // (uid_t)-1: none
  EXPECT_EQ(runner("99999999999"), "error: no user 99999999999 in " + root_dir_ + "/etc/passwd");
}

// The command line refuses a malformed --user as a usage error, before any
// file is read.
TEST(ImageUserSpec, FormIsUserOrUserColonGroup) {
  for (const char* good : {"", "app", "0", "app:app", "0:42", "a:b:c"}) EXPECT_TRUE(is_user_spec(good)) << good;
  for (const char* bad : {":", "app:", ":0", "::"}) EXPECT_FALSE(is_user_spec(bad)) << bad;
}
