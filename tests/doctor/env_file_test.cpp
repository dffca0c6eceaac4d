// `cgview doctor --env-file`: an image's NAME=VALUE lines, as docker writes
// and reads them.
#include "env_file.hpp"

#include <gtest/gtest.h>

using cgview::cli::parse_env_file;
using Vars = std::map<std::string, std::string>;

TEST(EnvFile, NameEqualsValueLines) {
  EXPECT_EQ(parse_env_file("PATH=/opt/jdk/bin:/usr/bin\nLD_LIBRARY_PATH=/opt/lib\n"),
            (Vars{{"PATH", "/opt/jdk/bin:/usr/bin"}, {"LD_LIBRARY_PATH", "/opt/lib"}}));
  EXPECT_EQ(parse_env_file("A=1"), (Vars{{"A", "1"}}));  // no newline at the end
  EXPECT_EQ(parse_env_file(""), Vars{});
}

TEST(EnvFile, ValuesAreTakenAsWritten) {
  // Only the first '=' splits; quotes and trailing blanks stay (docker keeps them).
  EXPECT_EQ(parse_env_file("OPTS=-Da=b -Dc=d\nQ=\"x\" \nEMPTY=\n"),
            (Vars{{"OPTS", "-Da=b -Dc=d"}, {"Q", "\"x\" "}, {"EMPTY", ""}}));
  // A later line wins, as a later -e does.
  EXPECT_EQ(parse_env_file("A=1\nA=2\n"), (Vars{{"A", "2"}}));
}

TEST(EnvFile, CommentsBlankLinesAndLeadingBlanksAreSkipped) {
  EXPECT_EQ(parse_env_file("# the image's\n\n   \n  # indented comment\n\tB=2\n"), (Vars{{"B", "2"}}));
  // A file written on Windows: the carriage return is no part of the value.
  EXPECT_EQ(parse_env_file("PATH=/bin\r\nX=1\r\n"), (Vars{{"PATH", "/bin"}, {"X", "1"}}));
  // A byte order mark before the first name is no part of it.
  EXPECT_EQ(parse_env_file("\xef\xbb\xbfPATH=/bin\n"), (Vars{{"PATH", "/bin"}}));
}

TEST(EnvFile, LinesThatSetNothingArePassedOver) {
  // NAME alone: docker takes it from its own environment, which is not the image's.
  EXPECT_EQ(parse_env_file("HOME\n=x\nBAD NAME=1\nBAD\tTAB=1\nOK=1\n"), (Vars{{"OK", "1"}}));
  // No variable can hold a NUL byte: such a line is not a variable's.
  EXPECT_EQ(parse_env_file(std::string("A=1\0B=2\nC=3\n", 13)), (Vars{{"C", "3"}}));
}
