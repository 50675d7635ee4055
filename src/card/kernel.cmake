# The card kernel: openmyna_card (alias openmyna::card). Applications live in
# apps/<name>/ and are compiled into the same library (tests excluded).
file(GLOB OPENMYNA_CARD_APP_SOURCES CONFIGURE_DEPENDS
     ${CMAKE_CURRENT_SOURCE_DIR}/apps/*.cc
     ${CMAKE_CURRENT_SOURCE_DIR}/apps/*/*.cc)
list(FILTER OPENMYNA_CARD_APP_SOURCES EXCLUDE REGEX "_test\\.cc$")

openmyna_library(card
  SOURCES kernel/errors.cc kernel/model.cc kernel/status_words.cc
          kernel/apdu.cc kernel/crypto.cc kernel/image.cc kernel/pin_rules.cc
          kernel/issuance.cc kernel/issuer_auth.cc kernel/describe.cc
          kernel/card.cc
          kernel/card_files.cc kernel/card_security.cc
          ${OPENMYNA_CARD_APP_SOURCES}
  DEPS openmyna::base openmyna::card_endpoint openmyna::domain OpenSSL::Crypto
  PRIVATE_DEPS nlohmann_json::nlohmann_json)
# Private includes: kernel/*.h and the applications' own headers.
target_include_directories(openmyna_card PRIVATE
  ${CMAKE_CURRENT_SOURCE_DIR} ${CMAKE_CURRENT_SOURCE_DIR}/apps)

# Test support: a personalised in-memory card (tests and the fuzz target).
add_library(openmyna_card_testing STATIC testing/test_card.cc)
target_include_directories(openmyna_card_testing PUBLIC
  ${CMAKE_CURRENT_SOURCE_DIR} PRIVATE ${CMAKE_CURRENT_SOURCE_DIR}/apps)
target_link_libraries(openmyna_card_testing PUBLIC openmyna::card
                      PRIVATE openmyna_warnings)

openmyna_test(card_kernel_test
  SOURCES kernel/apdu_test.cc kernel/status_words_test.cc
          kernel/card_test.cc kernel/pin_test.cc kernel/sign_test.cc
          kernel/image_test.cc kernel/issuer_test.cc kernel/realism_test.cc
  DEPS openmyna_card_testing openmyna::card OpenSSL::Crypto)

# Client conformance findings through the in-process transport, with the
# repository's own JPKI client as the careful client (issue 14 item 3).
openmyna_test(card_conformance_test
  SOURCES kernel/conformance_test.cc
  DEPS openmyna_card_testing openmyna::card openmyna::card_transport
       openmyna::card_client nlohmann_json::nlohmann_json)

openmyna_test(card_transcript_test
  SOURCES kernel/transcript_test.cc
  DEPS openmyna_card_testing openmyna::card)

openmyna_fuzzer(card_apdu_fuzzer
  SOURCES fuzz/apdu_sequence_fuzzer.cc
  DEPS openmyna_card_testing openmyna::card
  CORPUS fuzz/corpus/apdu_sequence)

openmyna_fuzzer(card_image_fuzzer
  SOURCES fuzz/image_fuzzer.cc
  DEPS openmyna::card
  CORPUS fuzz/corpus/image)
