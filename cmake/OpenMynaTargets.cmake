# Helpers that give every component the same shape (architecture.md §6):
# a static library with its own include directory, tests beside the code,
# fuzz targets that are replayed in the normal test run.

# openmyna_library(<name> SOURCES ... [DEPS ...] [PRIVATE_DEPS ...])
# Creates openmyna_<name> (alias openmyna::<name>). DEPS are the allowed
# dependency edges of architecture.md §1; nothing else may be linked.
function(openmyna_library name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS;PRIVATE_DEPS" ${ARGN})
  add_library(openmyna_${name} STATIC ${ARG_SOURCES})
  add_library(openmyna::${name} ALIAS openmyna_${name})
  target_include_directories(openmyna_${name} PUBLIC
    $<BUILD_INTERFACE:${CMAKE_CURRENT_SOURCE_DIR}/include>)
  target_link_libraries(openmyna_${name}
    PUBLIC ${ARG_DEPS}
    PRIVATE ${ARG_PRIVATE_DEPS} openmyna_warnings)
endfunction()

# openmyna_test(<name> SOURCES ... [DEPS ...] [LABELS ...] [ENV ...]
#               [RENDERS_CJK_PDF])
# A GoogleTest (+ rapidcheck) executable registered with CTest. Label "unit"
# is added unless LABELS says otherwise. RENDERS_CJK_PDF: the test embeds
# Noto Sans CJK in a PDF; under ASan it records whole malloc stacks so that
# tests/sanitizers/lsan.supp can name cairo's own leak (see there).
function(openmyna_test name)
  cmake_parse_arguments(ARG "RENDERS_CJK_PDF" "TIMEOUT"
                        "SOURCES;DEPS;LABELS;ENV" ${ARGN})
  if(NOT OPENMYNA_TESTS OR OPENMYNA_FUZZ)
    return()
  endif()
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE ${ARG_DEPS} GTest::gmock GTest::gtest
                        GTest::gtest_main rapidcheck openmyna_base_testing
                        openmyna_warnings)
  if(NOT ARG_LABELS)
    set(ARG_LABELS unit)
  endif()
  if(NOT ARG_TIMEOUT)
    set(ARG_TIMEOUT 300)
  endif()
  add_test(NAME ${name} COMMAND ${name} --gtest_brief=1
           WORKING_DIRECTORY ${CMAKE_CURRENT_SOURCE_DIR})
  set_tests_properties(${name} PROPERTIES LABELS "${ARG_LABELS}"
                       TIMEOUT ${ARG_TIMEOUT}
                       ENVIRONMENT "OPENMYNA_SOURCE_DIR=${PROJECT_SOURCE_DIR};${ARG_ENV}")
  if(ARG_RENDERS_CJK_PDF)
    openmyna_full_malloc_stacks(${name})
  endif()
endfunction()

# openmyna_full_malloc_stacks(<test>): ASan unwinds every allocation with the
# slow unwinder (libcairo has no frame pointers), so that a leak inside cairo
# is reported with the exported cairo function it happened in. Appends to the
# ASAN_OPTIONS a preset sets; ignored by builds without ASan.
function(openmyna_full_malloc_stacks test)
  set_property(TEST ${test} APPEND PROPERTY ENVIRONMENT_MODIFICATION
               "ASAN_OPTIONS=string_append::fast_unwind_on_malloc=0")
endfunction()

# openmyna_fuzzer(<name> SOURCES ... [DEPS ...] CORPUS <dir>)
# With OPENMYNA_FUZZ (the `fuzz` preset, clang) this is a libFuzzer binary.
# Otherwise the same LLVMFuzzerTestOneInput is linked with a replay driver and
# every file of the committed corpus is run through it as a CTest test.
function(openmyna_fuzzer name)
  cmake_parse_arguments(ARG "" "CORPUS" "SOURCES;DEPS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE ${ARG_DEPS} openmyna_warnings)
  if(OPENMYNA_FUZZ)
    target_compile_options(${name} PRIVATE -fsanitize=fuzzer)
    target_link_options(${name} PRIVATE -fsanitize=fuzzer)
  else()
    target_link_libraries(${name} PRIVATE openmyna_fuzz_replay)
    if(OPENMYNA_TESTS)
      add_test(NAME ${name}_replay
               COMMAND ${name} ${CMAKE_CURRENT_SOURCE_DIR}/${ARG_CORPUS})
      set_tests_properties(${name}_replay PROPERTIES LABELS "unit;fuzz-replay")
    endif()
  endif()
endfunction()

# openmyna_pg_test(<name> (GTEST <target> | COMMAND <cmd> [args...])
#                  [TIMEOUT <seconds>])
# A test run against a throw-away PostgreSQL server (tests/pg/with-postgres.sh
# exports OPENMYNA_TEST_PG_URL; it exits 77, a skip, when no server can be
# started). GTEST runs the PostgreSQL half (*Postgres*) of a GoogleTest
# target's TEST_P suites; COMMAND wraps any other program. Labels pg and
# interop; one such test at a time (RESOURCE_LOCK postgres).
function(openmyna_pg_test name)
  cmake_parse_arguments(ARG "" "GTEST;TIMEOUT" "COMMAND" ${ARGN})
  if(NOT OPENMYNA_TESTS OR OPENMYNA_FUZZ)
    return()
  endif()
  if(ARG_GTEST)
    if(NOT TARGET ${ARG_GTEST})
      return()
    endif()
    set(ARG_COMMAND $<TARGET_FILE:${ARG_GTEST}> --gtest_brief=1
                    --gtest_filter=*Postgres*)
  endif()
  if(NOT ARG_TIMEOUT)
    set(ARG_TIMEOUT 300)
  endif()
  add_test(NAME ${name}
           COMMAND ${PROJECT_SOURCE_DIR}/tests/pg/with-postgres.sh
                   ${ARG_COMMAND})
  set_tests_properties(${name} PROPERTIES LABELS "pg;interop"
                       TIMEOUT ${ARG_TIMEOUT} RESOURCE_LOCK postgres
                       SKIP_RETURN_CODE 77)
endfunction()

# openmyna_pcsc_test(<name> COMMAND <cmd> [args...] [TIMEOUT <seconds>]
#                    [LABELS <label>...] [RESOURCE_LOCK <lock>])
# A test run inside tests/pcsc/with-pcscd.sh: its own pcscd and vpcd in
# private namespaces (docs pcsc-testing.md), which need root; the script exits
# 77 (a skip) without them. Labels default to interop, TIMEOUT to 180 s.
function(openmyna_pcsc_test name)
  cmake_parse_arguments(ARG "" "TIMEOUT;RESOURCE_LOCK" "COMMAND;LABELS"
                        ${ARGN})
  if(NOT ARG_TIMEOUT)
    set(ARG_TIMEOUT 180)
  endif()
  if(NOT ARG_LABELS)
    set(ARG_LABELS interop)
  endif()
  add_test(NAME ${name}
           COMMAND ${PROJECT_SOURCE_DIR}/tests/pcsc/with-pcscd.sh
                   ${ARG_COMMAND})
  set_tests_properties(${name} PROPERTIES LABELS "${ARG_LABELS}"
                       TIMEOUT ${ARG_TIMEOUT} SKIP_RETURN_CODE 77)
  if(ARG_RESOURCE_LOCK)
    set_tests_properties(${name} PROPERTIES RESOURCE_LOCK ${ARG_RESOURCE_LOCK})
  endif()
endfunction()
