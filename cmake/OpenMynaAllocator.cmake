# The memory allocator linked into the `openmyna` executable
# (docs/development.md "Allocator"). glibc's malloc/free were about 12 % of
# serve's CPU under the sign-in bench; each choice is a Debian 12 package
# (scripts/debian-packages.txt). `system` keeps glibc's: the sanitizer
# presets use it (ASan and TSan bring their own allocator), and so can anyone:
# `cmake --preset release -DOPENMYNA_ALLOCATOR=system`.
if(CMAKE_CXX_FLAGS MATCHES "-fsanitize")
  set(_openmyna_allocator_default system)
else()
  set(_openmyna_allocator_default jemalloc)
endif()
set(OPENMYNA_ALLOCATOR "${_openmyna_allocator_default}" CACHE STRING
    "malloc of the openmyna executable: jemalloc, tcmalloc, mimalloc or system")
set_property(CACHE OPENMYNA_ALLOCATOR PROPERTY STRINGS
             jemalloc tcmalloc mimalloc system)

# Links TARGET (an executable) with the chosen allocator. The library goes
# before libc in the executable's DT_NEEDED list, so its malloc, free, new
# and delete interpose glibc's for every library of the process (OpenSSL,
# SQLite, Boost) as well.
function(openmyna_link_allocator target)
  if(OPENMYNA_ALLOCATOR STREQUAL "system")
    return()
  elseif(OPENMYNA_ALLOCATOR STREQUAL "jemalloc")
    pkg_check_modules(JEMALLOC REQUIRED IMPORTED_TARGET jemalloc)
    target_link_libraries(${target} PRIVATE PkgConfig::JEMALLOC)
  elseif(OPENMYNA_ALLOCATOR STREQUAL "tcmalloc")
    pkg_check_modules(TCMALLOC REQUIRED IMPORTED_TARGET libtcmalloc_minimal)
    target_link_libraries(${target} PRIVATE PkgConfig::TCMALLOC)
  elseif(OPENMYNA_ALLOCATOR STREQUAL "mimalloc")
    find_package(mimalloc 2.0 CONFIG REQUIRED)
    target_link_libraries(${target} PRIVATE mimalloc)
  else()
    message(FATAL_ERROR "OPENMYNA_ALLOCATOR=${OPENMYNA_ALLOCATOR}: one of "
                        "jemalloc, tcmalloc, mimalloc, system")
  endif()
  # The linker must keep it although no symbol is asked of it by name
  # (--as-needed would drop it).
  target_link_options(${target} PRIVATE "LINKER:--no-as-needed")
endfunction()
