# cmake -P check.cmake: builds tests/consumer the three ways a user embeds gan, and runs it.
# Inputs: SRC (gan source dir), BIN (gan build dir), WORK (scratch dir), CXX, EIGEN.
file(REMOVE_RECURSE ${WORK})
function(run)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "failed: ${ARGN}\n${out}\n${err}")
  endif()
endfunction()
# 1. find_package(gan CONFIG) after cmake --install
run(${CMAKE_COMMAND} --install ${BIN} --prefix ${WORK}/prefix)
run(${CMAKE_COMMAND} -S ${SRC}/tests/consumer -B ${WORK}/fp -DGAN_MODE=find_package -DCMAKE_PREFIX_PATH=${WORK}/prefix)
run(${CMAKE_COMMAND} --build ${WORK}/fp)
run(${WORK}/fp/consumer)
# 2. add_subdirectory
run(${CMAKE_COMMAND} -S ${SRC}/tests/consumer -B ${WORK}/sub -DGAN_MODE=subdirectory -DGAN_SOURCE_DIR=${SRC})
run(${CMAKE_COMMAND} --build ${WORK}/sub)
run(${WORK}/sub/consumer)
# 3. plain -I include plus Eigen
run(${CXX} -std=c++20 -pthread -I${SRC}/include -I${EIGEN} ${SRC}/tests/consumer/main.cpp -o ${WORK}/plain)
run(${WORK}/plain)
message(STATUS "consumer ok: find_package, add_subdirectory, -I include")
