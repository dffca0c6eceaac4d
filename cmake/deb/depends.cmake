# Run by cpack (CPACK_PROJECT_CONFIG_FILE) when the cgview command is linked
# statically: the package's only dependency is the C library the preload
# library names in its version needs, which are what ld.so checks when it
# loads it. dpkg-shlibdeps would say libc6 (>= 2.34): Debian's symbols file
# gives __sysconf (the shim's way past its own sysconf) the minimum 2.34,
# though glibc has exported it under the same version since 2.2.5 and the
# library loads on glibc 2.17.
# cpack reads this before it builds anything: build first (as the README's
# commands do), or the needs are those of the library built before.
# objdump's headings are translated: read them in the C locale.
set(ENV{LC_ALL} C)
execute_process(COMMAND "${CPACK_CGVIEW_OBJDUMP}" -p "${CPACK_CGVIEW_SHIM_FILE}"
                OUTPUT_VARIABLE cgview_headers RESULT_VARIABLE cgview_objdump_status)
if(NOT cgview_objdump_status EQUAL 0)
  message(FATAL_ERROR "cannot read the version needs of ${CPACK_CGVIEW_SHIM_FILE}")
endif()
# "Version References:" lists "required from libc.so.6:" then one
# "0x... 0x00 NN GLIBC_x.y" line per version. The definitions before it name
# glibc versions too: the ones the library's interposers are defined under.
string(FIND "${cgview_headers}" "Version References:" cgview_references)
if(cgview_references EQUAL -1)
  message(FATAL_ERROR "${CPACK_CGVIEW_SHIM_FILE} has no version references")
endif()
string(SUBSTRING "${cgview_headers}" ${cgview_references} -1 cgview_headers)
string(REGEX MATCHALL "GLIBC_[0-9]+(\\.[0-9]+)+" cgview_needs "${cgview_headers}")
set(cgview_newest "")
foreach(need IN LISTS cgview_needs)
  string(REPLACE "GLIBC_" "" version "${need}")
  if(cgview_newest STREQUAL "" OR version VERSION_GREATER cgview_newest)
    set(cgview_newest "${version}")
  endif()
endforeach()
if(cgview_newest STREQUAL "")
  message(FATAL_ERROR "${CPACK_CGVIEW_SHIM_FILE} names no glibc version")
endif()
set(CPACK_DEBIAN_PACKAGE_DEPENDS "libc6 (>= ${cgview_newest})")
