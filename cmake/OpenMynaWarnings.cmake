# Warnings for every target of the project (not for third-party headers).
add_library(openmyna_warnings INTERFACE)
target_compile_options(openmyna_warnings INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Woverloaded-virtual
  -Wformat=2 -Wimplicit-fallthrough -Wno-missing-field-initializers)
if(OPENMYNA_WERROR)
  target_compile_options(openmyna_warnings INTERFACE -Werror)
endif()
