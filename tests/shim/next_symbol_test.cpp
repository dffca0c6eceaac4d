// next_symbol (shim/next_symbol.cpp) must answer what dlsym(RTLD_NEXT) and
// dlvsym(RTLD_NEXT) answer: the shim finds dlsym and dlvsym themselves with it, and
// where a glibc before 2.34 has no dlsym in the process, everything else. It is built into a library of its own (the finder,
// next_symbol_finder.cpp) loaded after this executable and before the libraries it
// searches (next_symbol_lib.c, with GNU and SysV hash tables) and libc, as
// libcgview.so is loaded after a program and before libc; both lookups start there.
#include <gtest/gtest.h>

#include <string>
#include <utility>

extern "C" void* finder_next_symbol(const char* name, const char* version);
extern "C" void* finder_rtld_next(const char* name, const char* version);
extern "C" int next_link_gnu();
extern "C" int next_link_sysv();
extern "C" int next_bare_answer();
// Also defined by the finder and by the GNU-hash library: both lookups must skip this one.
extern "C" int next_plain_gnu() { return -3; }

namespace {

void* next_symbol(const char* name, const char* version) { return finder_next_symbol(name, version); }
void* rtld_next(const char* name, const char* version = nullptr) { return finder_rtld_next(name, version); }

TEST(NextSymbol, FindsLibcsFunctionsAsDlsymDoes) {
  ASSERT_EQ(next_link_gnu() + next_link_sysv(), 0);
  for (const char* name : {"open", "open64", "openat", "__open_2", "__openat64_2", "fopen", "fopen64", "freopen",
                           "lseek", "lseek64", "rewind", "fseek", "fseeko64", "fsetpos", "sysconf", "get_nprocs",
                           "get_nprocs_conf", "get_phys_pages", "get_avphys_pages", "sysinfo", "sched_getaffinity",
                           "sched_setaffinity", "pthread_getaffinity_np", "pthread_setaffinity_np", "pthread_attr_setaffinity_np",
                           "pthread_attr_getaffinity_np", "dlsym", "dlvsym"}) {
    void* expected = rtld_next(name);
    ASSERT_NE(expected, nullptr) << name;
    EXPECT_EQ(next_symbol(name, nullptr), expected) << name;
  }
}

TEST(NextSymbol, FindsEachVersionAsDlvsymDoes) {
#if CGVIEW_OLD_AFFINITY_ABI
  // Two ABIs under two versions: each its own function.
  ASSERT_NE(rtld_next("sched_getaffinity", "GLIBC_2.3.3"), rtld_next("sched_getaffinity", "GLIBC_2.3.4"));
  for (auto [name, version] : {std::pair{"sched_getaffinity", "GLIBC_2.3.3"}, {"sched_getaffinity", "GLIBC_2.3.4"},
                               {"sched_setaffinity", "GLIBC_2.3.3"}, {"pthread_getaffinity_np", "GLIBC_2.32"},
                               {"pthread_getaffinity_np", "GLIBC_2.3.3"}, {"pthread_setaffinity_np", "GLIBC_2.34"},
                               {"pthread_setaffinity_np", "GLIBC_2.3.4"}, {"pthread_setaffinity_np", "GLIBC_2.3.3"},
                               {"pthread_attr_setaffinity_np", "GLIBC_2.32"}, {"pthread_attr_setaffinity_np", "GLIBC_2.3.4"},
                               {"pthread_attr_getaffinity_np", "GLIBC_2.34"}, {"pthread_attr_getaffinity_np", "GLIBC_2.3.4"}}) {
    ASSERT_NE(rtld_next(name, version), nullptr) << name << "@" << version;
    EXPECT_EQ(next_symbol(name, version), rtld_next(name, version)) << name << "@" << version;
  }
#endif
  for (const char* style : {"gnu", "sysv"}) {
    std::string name = std::string("next_answer_") + style;
    auto call = [](void* f) { return reinterpret_cast<int (*)()>(f)(); };
    ASSERT_NE(next_symbol(name.c_str(), "NEXT_1"), nullptr) << name;
    EXPECT_EQ(call(next_symbol(name.c_str(), "NEXT_1")), 1) << name;
    EXPECT_EQ(call(next_symbol(name.c_str(), "NEXT_2")), 2) << name;
    EXPECT_EQ(call(next_symbol(name.c_str(), nullptr)), 2) << name << ": the default version";
    for (const char* version : {"NEXT_1", "NEXT_2"})
      EXPECT_EQ(next_symbol(name.c_str(), version), rtld_next(name.c_str(), version)) << name << "@" << version;
    EXPECT_EQ(next_symbol(name.c_str(), "NEXT_3"), nullptr);
    EXPECT_EQ(rtld_next(name.c_str(), "NEXT_3"), nullptr);
    // An unversioned definition in a versioned object (as the shim's own) answers a
    // lookup without a version, and not dlvsym's, which names one.
    std::string unversioned = std::string("unversioned_answer_") + style;
    ASSERT_NE(rtld_next(unversioned.c_str()), nullptr) << unversioned;
    EXPECT_EQ(next_symbol(unversioned.c_str(), nullptr), rtld_next(unversioned.c_str())) << unversioned;
    for (const char* version : {"NEXT_1", "NEXT_2"}) {
      EXPECT_EQ(rtld_next(unversioned.c_str(), version), nullptr) << unversioned << "@" << version;
      EXPECT_EQ(next_symbol(unversioned.c_str(), version), nullptr) << unversioned << "@" << version;
    }
  }
}

TEST(NextSymbol, ReadsSysvAndGnuHashTables) {
  EXPECT_EQ(reinterpret_cast<int (*)()>(next_symbol("next_plain_sysv", nullptr))(), 3);
  EXPECT_EQ(next_symbol("next_plain_sysv", nullptr), rtld_next("next_plain_sysv"));
  EXPECT_EQ(next_symbol("next_link_sysv", nullptr), reinterpret_cast<void*>(&next_link_sysv));
  EXPECT_EQ(next_symbol("next_link_gnu", nullptr), reinterpret_cast<void*>(&next_link_gnu));
}

TEST(NextSymbol, AnObjectWithoutVersionsAnswersAnyVersion) {
  ASSERT_EQ(next_bare_answer(), 6);
  for (const char* version : {"NEXT_1", "GLIBC_2.3.4", static_cast<const char*>(nullptr)}) {
    EXPECT_EQ(next_symbol("next_bare_answer", version), reinterpret_cast<void*>(&next_bare_answer));
    EXPECT_EQ(next_symbol("next_bare_answer", version), rtld_next("next_bare_answer", version));
  }
}

TEST(NextSymbol, SkipsTheProgramAndTheCallersOwnObject) {
  void* found = next_symbol("next_plain_gnu", nullptr);
  ASSERT_NE(found, nullptr);
  EXPECT_NE(found, reinterpret_cast<void*>(&next_plain_gnu));
  EXPECT_EQ(reinterpret_cast<int (*)()>(found)(), 3) << "not the library after the finder's";
  EXPECT_EQ(found, rtld_next("next_plain_gnu"));
}

TEST(NextSymbol, AnswersNothingForUnknownNamesAndIndirectFunctions) {
  EXPECT_EQ(next_symbol("cgview_no_such_function", nullptr), nullptr);
  EXPECT_EQ(next_symbol("sched_getaffinity", "GLIBC_9.99"), nullptr);
  EXPECT_EQ(next_symbol("", nullptr), nullptr);
  // dlsym calls an IFUNC's resolver; next_symbol does not (none of the shim's names is one).
  ASSERT_NE(rtld_next("next_indirect_gnu"), nullptr);
  EXPECT_EQ(next_symbol("next_indirect_gnu", nullptr), nullptr) << "not the bare library's later plain one";
  EXPECT_EQ(next_symbol("next_indirect_sysv", nullptr), nullptr);
}

}  // namespace
