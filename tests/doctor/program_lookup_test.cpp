// RootFs::resolve's record of the directories a path goes through: the ones
// the kernel needs search permission on, as path lookup meets them.
#include "program_lookup.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

using namespace cgview::cli;

namespace {

class ProgramLookup : public ::testing::Test {
 protected:
  void SetUp() override {
    char dir[] = "/tmp/cgview-lookup-XXXXXX";
    ASSERT_NE(mkdtemp(dir), nullptr);
    root_dir_ = dir;
    namespace fs = std::filesystem;
    fs::create_directories(root_dir_ + "/usr/bin");
    fs::create_directories(root_dir_ + "/opt/app/bin");
    fs::create_directories(root_dir_ + "/home/user/work");
    std::ofstream(root_dir_ + "/usr/bin/tool") << "x";
    std::ofstream(root_dir_ + "/opt/app/bin/app") << "x";
    fs::create_directory_symlink("usr/bin", root_dir_ + "/bin");           // relative target
    fs::create_symlink("/opt/app/bin/app", root_dir_ + "/usr/bin/app");     // absolute: from the root again
    fs::create_symlink("../../opt/app/bin/app", root_dir_ + "/home/user/app");
  }
  void TearDown() override { std::filesystem::remove_all(root_dir_); }

  std::vector<std::string> searched(std::string_view path, std::string_view cwd = "/") {
    Found found = RootFs(root_dir_).resolve(path, cwd);
    EXPECT_TRUE(found.ok) << path << ": " << found.error;
    return found.searched;
  }

  std::string root_dir_;
};

using Dirs = std::vector<std::string>;

TEST_F(ProgramLookup, AnAbsolutePathSearchesTheRootAndEachDirectoryOnIt) {
  EXPECT_EQ(searched("/usr/bin/tool"), (Dirs{"/", "/usr", "/usr/bin"}));
}

TEST_F(ProgramLookup, SymlinksAddTheDirectoriesTheirTargetsGoThrough) {
  // /bin -> usr/bin (from the root), then /usr/bin/app -> /opt/app/bin/app (from the root again).
  EXPECT_EQ(searched("/bin/app"), (Dirs{"/", "/usr", "/usr/bin", "/opt", "/opt/app", "/opt/app/bin"}));
}

TEST_F(ProgramLookup, ARelativePathStartsAtTheWorkingDirectoryNotAboveIt) {
  // The kernel starts at the working directory: the ones above it are not searched.
  EXPECT_EQ(searched("work/../app", "/home/user"),
            (Dirs{"/home/user", "/home/user/work", "/home", "/", "/opt", "/opt/app", "/opt/app/bin"}));
  EXPECT_EQ(searched("tool", "/usr/bin"), (Dirs{"/usr/bin"}));
}

}  // namespace
