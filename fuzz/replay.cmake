# Replays every fuzz target's seed corpus (and any crash reproducers kept there) as ordinary
# CTest tests in the normal build, with any compiler. Meant to be included from
# tests/CMakeLists.txt:
#   include(${CMAKE_SOURCE_DIR}/fuzz/replay.cmake)
# Each target x gets an executable fuzz_replay_x (fuzz/x_fuzzer.cpp + fuzz/replay_main.cpp)
# and a test fuzz_replay.x that runs it on fuzz/corpus/x/.
include(${CMAKE_CURRENT_LIST_DIR}/targets.cmake)

foreach(name IN LISTS VITRINE_FUZZ_TARGETS)
  if(VITRINE_FUZZ)
    # The clang fuzzing build already has the libFuzzer binary (defined later, in fuzz/);
    # with -runs=0 it runs each input of the corpus directory once and stops.
    set(replay_command $<TARGET_FILE:fuzz_${name}> -runs=0 ${CMAKE_CURRENT_LIST_DIR}/corpus/${name})
  else()
    add_executable(fuzz_replay_${name}
      ${CMAKE_CURRENT_LIST_DIR}/${name}_fuzzer.cpp ${CMAKE_CURRENT_LIST_DIR}/replay_main.cpp)
    target_link_libraries(fuzz_replay_${name} PRIVATE vitrine_core)
    set(replay_command fuzz_replay_${name} ${CMAKE_CURRENT_LIST_DIR}/corpus/${name})
  endif()
  add_test(NAME fuzz_replay.${name} COMMAND ${replay_command})
  set_tests_properties(fuzz_replay.${name} PROPERTIES LABELS fuzz TIMEOUT 120)
endforeach()
