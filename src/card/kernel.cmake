# The card kernel: openmyna_card (alias openmyna::card). Applications live in
# apps/<name>/ and are compiled into the same library (tests excluded).
file(GLOB OPENMYNA_CARD_APP_SOURCES CONFIGURE_DEPENDS
     ${CMAKE_CURRENT_SOURCE_DIR}/apps/*.cc
     ${CMAKE_CURRENT_SOURCE_DIR}/apps/*/*.cc)
list(FILTER OPENMYNA_CARD_APP_SOURCES EXCLUDE REGEX "_test\\.cc$")

set(OPENMYNA_CARD_DEPS openmyna::base openmyna::card_endpoint OpenSSL::Crypto)
if(TARGET openmyna::domain)
  list(APPEND OPENMYNA_CARD_DEPS openmyna::domain)
endif()

openmyna_library(card
  SOURCES kernel/errors.cc kernel/model.cc ${OPENMYNA_CARD_APP_SOURCES}
  DEPS ${OPENMYNA_CARD_DEPS}
  PRIVATE_DEPS nlohmann_json::nlohmann_json)
